package dev.parvis.devices.storvsp.fuzz;

import dev.parvis.abi.vmbus.PacketType;
import dev.parvis.devices.storvsp.fuzz.BatchEffects.Answered;
import dev.parvis.devices.storvsp.fuzz.Expectation.ChannelCloses;
import dev.parvis.devices.storvsp.fuzz.Expectation.ControlReply;
import dev.parvis.devices.storvsp.fuzz.Expectation.SrbOutcome;
import dev.parvis.devices.storvsp.fuzz.Expectation.SrbReply;
import dev.parvis.devices.storvsp.fuzz.HostileStorVsc.BatchKind;
import dev.parvis.vmbus.client.VmbusClientException;
import dev.parvis.vmbus.ring.IncomingPacket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One fuzz campaign: batches of packets from {@link HostileStorVsc}, each predicted by
 * {@link StorVspModel} in the order the host reads them, sent, their completions checked as they
 * come ({@link CompletionCheck}) and their effects on memory and disks after the batch
 * ({@link BatchEffects}). A packet that must close the channel goes alone, after the rest of its
 * batch completed; then the guest opens the channel again. Every few hundred cases the steady reader
 * on the other controller must have read on, and no ERROR may have been logged.
 */
final class FuzzRun {
    private static final long COMPLETION_WAIT_NANOS = TimeUnit.SECONDS.toNanos(20);
    private static final long PROGRESS_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int PROGRESS_EVERY = 256;

    /** A packet sent and what the model expects of it. */
    record Sent(FuzzPacket packet, Expectation expected) {}

    private final FuzzRig rig;
    private final long seed;
    private final boolean verbose;
    private final Supplier<String> errors;
    private final FuzzTally tally = new FuzzTally();
    private final StorVspModel model;
    private final HostileStorVsc guest;
    private long steadyReads;
    private int nextProgressCheck = PROGRESS_EVERY;
    private int progressChecks;

    FuzzRun(FuzzRig rig, long seed, boolean verbose, Supplier<String> errors) {
        this.rig = rig;
        this.seed = seed;
        this.verbose = verbose;
        this.errors = errors;
        this.model = new StorVspModel(rig.luns, rig.area, FuzzRig.MAX_IN_FLIGHT);
        this.guest = new HostileStorVsc(new Random(seed), rig.area, rig.luns);
    }

    FuzzTally tally() {
        return tally;
    }

    void run(int cases) throws Exception {
        model.channelOpened(rig.channel.open());
        int next = 0;
        while (next < cases && !tally.tooManyFailures()) {
            BatchKind kind = guest.nextBatch(model.phase());
            if (kind == BatchKind.REOPEN) {
                model.channelOpened(rig.channel.reopen());
                tally.count("channel: closed and opened again by the guest");
            }
            rig.area.newBatch();
            model.newBatch();
            List<Sent> batch = new ArrayList<>();
            for (int i = guest.batchSize(kind); i > 0 && next < cases; i--) {
                FuzzPacket p = guest.next(next++, model.phase(), kind);
                batch.add(new Sent(p, model.predict(p)));
                if (batch.getLast().expected() instanceof ChannelCloses) {
                    break;
                }
            }
            runBatch(batch, kind == BatchKind.FLOOD);
            checkpoint(next, cases);
        }
        strayPackets();
    }

    /** The replay flags and the packet, for a failure report. */
    private String where(FuzzPacket p) {
        if (p == null) {
            return "seed " + seed;
        }
        return "case %d (replay: -Dparvis.fuzz.seed=%d -Dparvis.fuzz.cases=%d) %s".formatted(p.caseIndex(), seed,
                p.caseIndex() + 1, p);
    }

    private void failed(FuzzPacket p, String message) {
        tally.failed(where(p), message);
        if (verbose) {
            System.out.println("FAILED " + where(p) + ": " + message);
        }
    }

    private void runBatch(List<Sent> batch, boolean flood) throws Exception {
        Sent closing = batch.getLast().expected() instanceof ChannelCloses ? batch.getLast() : null;
        List<Sent> requests = closing == null ? batch : batch.subList(0, batch.size() - 1);
        for (Sent s : requests) {
            rig.channel.send(s.packet());
        }
        if (flood) {
            Thread.sleep(5); // the guest reads nothing meanwhile: the host's completions wait for ring space
            tally.count("batch: flood of " + (requests.size() / 100 * 100) + "+ requests read late");
        }
        List<Answered> answered = new ArrayList<>();
        boolean open = collect(requests, answered);
        BatchEffects.apply(answered, rig.area, tally, this::failed);
        if (!open) {
            hostClosed(requests);
        } else if (closing != null) {
            rig.channel.send(closing.packet());
            awaitClose(closing);
        }
    }

    /** Reads completions until every expected one came; false when the host closed the channel first. */
    private boolean collect(List<Sent> requests, List<Answered> answered) throws VmbusClientException {
        Map<Long, Sent> waiting = new LinkedHashMap<>();
        for (Sent s : requests) {
            if (s.expected() instanceof ControlReply || s.expected() instanceof SrbReply) {
                waiting.put(s.packet().transactionId(), s);
            } else {
                tally.count("packet: " + (s.expected() instanceof ChannelCloses ? "closes the channel" : "ignored"));
            }
        }
        long deadline = System.nanoTime() + COMPLETION_WAIT_NANOS;
        while (!waiting.isEmpty()) {
            IncomingPacket p = rig.channel.poll();
            if (p != null) {
                completed(p, waiting, answered);
            } else if (rig.channel.closedByHost()) {
                return false;
            } else {
                String logged = logged();
                if (!logged.isEmpty() || System.nanoTime() - deadline > 0) {
                    failed(waiting.values().iterator().next().packet(), "no completion came for " + waiting.size()
                            + " request(s)" + (logged.isEmpty() ? " in 20 s" : logged));
                    reopen();
                    return true;
                }
            }
        }
        return true;
    }

    /** ERRORs logged since the last look, as a clause of a failure message, or "". */
    private String logged() {
        String e = errors.get();
        return e == null ? "" : "; the host logged: " + e;
    }

    private void completed(IncomingPacket p, Map<Long, Sent> waiting, List<Answered> answered) {
        Sent s = p.type().equals(PacketType.COMPLETION) ? waiting.remove(p.transactionId()) : null;
        if (s == null) {
            failed(waiting.values().iterator().next().packet(), "the host sent a %s packet of transaction %d that no request awaits"
                    .formatted(p.type(), p.transactionId()));
            return;
        }
        try {
            switch (s.expected()) {
                case ControlReply c -> tally.count("control: status 0x%08x".formatted(CompletionCheck.control(c, p)));
                case SrbReply r -> {
                    SrbOutcome o = CompletionCheck.srb(r, p);
                    tally.count("SRB: " + o.kind());
                    answered.add(new Answered(s.packet(), r, o));
                }
                default -> throw new IllegalStateException(s.expected().toString());
            }
            if (verbose) {
                System.out.println("ok " + s.packet());
            }
        } catch (AssertionError e) {
            failed(s.packet(), e.getMessage());
        }
    }

    /** The last packet must make the host close the channel, for its size. */
    private void awaitClose(Sent closing) throws Exception {
        long deadline = System.nanoTime() + COMPLETION_WAIT_NANOS;
        while (!rig.channel.closedByHost()) {
            IncomingPacket p = rig.channel.poll();
            if (p != null) {
                failed(closing.packet(), "the host answered a %s packet (transaction %d) before closing the channel"
                        .formatted(p.type(), p.transactionId()));
            }
            if (System.nanoTime() - deadline > 0) {
                failed(closing.packet(), "the host did not close the channel for a packet of "
                        + ((ChannelCloses) closing.expected()).packetBytes() + " bytes");
                reopen();
                return;
            }
        }
        String reason = rig.channel.closeReason();
        if (!reason.contains("exceeds the channel's maximum")) {
            failed(closing.packet(), "the channel closed for another reason: " + reason);
        }
        tally.count("channel: closed by the host: " + reason.replaceAll("\\d+", "#"));
        reopen();
    }

    /** The host closed the channel with requests unanswered: a failure (no packet of the batch was too large). */
    private void hostClosed(List<Sent> requests) throws Exception {
        failed(requests.getFirst().packet(), "the host closed the channel: " + rig.channel.closeReason() + logged());
        Thread.sleep(200); // requests still at the disks may yet write the guest's buffers
        rig.area.differences();
        for (ShadowDisk d : rig.luns.values()) {
            d.forget(0, d.blocks); // unanswered writes may or may not have happened
        }
        reopen();
    }

    private void reopen() throws VmbusClientException {
        model.channelOpened(rig.channel.reopen());
    }

    /** The steady reader read on, no ERROR was logged, guard pages are intact. */
    private void checkpoint(int next, int cases) throws InterruptedException {
        String logged = logged();
        if (!logged.isEmpty()) {
            failed(null, "by case " + next + logged);
        }
        if (next < nextProgressCheck && next < cases) {
            return;
        }
        nextProgressCheck = next + PROGRESS_EVERY;
        long deadline = System.nanoTime() + PROGRESS_WAIT_NANOS;
        while (rig.reader.reads() <= steadyReads && rig.reader.failure() == null && System.nanoTime() - deadline < 0) {
            Thread.sleep(1);
        }
        if (rig.reader.failure() != null || rig.reader.reads() <= steadyReads) {
            failed(null, "by case " + next + " the other controller's reader stopped: "
                    + (rig.reader.failure() != null ? rig.reader.failure() : "no read completed in 10 s"));
        }
        steadyReads = rig.reader.reads();
        // Every allocation (each reopened channel's rings too) has two guard pages: looked at every 16th time.
        if ((++progressChecks % 16 == 0 || next >= cases) && !rig.memory.guardsIntact()) {
            failed(null, "by case " + next + " a guard page around a guest allocation changed");
        }
    }

    /** Nothing more may come: no completion for an ignored packet, none twice. */
    private void strayPackets() throws Exception {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
        while (System.nanoTime() - until < 0) {
            IncomingPacket p = rig.channel.poll();
            if (p != null) {
                failed(null, "after the last case the host sent a %s packet of transaction %d".formatted(p.type(),
                        p.transactionId()));
            }
        }
    }

    long steadyReads() {
        return rig.reader.reads();
    }
}
