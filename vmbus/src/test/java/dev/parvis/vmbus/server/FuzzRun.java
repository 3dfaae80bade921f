package dev.parvis.vmbus.server;

import dev.parvis.abi.vmbus.CloseChannel;
import dev.parvis.abi.vmbus.GpadlTeardown;
import dev.parvis.abi.vmbus.Unload;
import dev.parvis.vmbus.device.VmbusDeviceClass;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One run of a fuzzed sequence: a server with echo devices, the guest of {@link FuzzGuest} posting
 * what {@link FuzzActions} chooses, the host running requests and channel turns, filling and
 * draining the guest's message queue, rescinding, hot-adding and making device opens fail, all from
 * one seed. At step {@code saveStep} the run either only lets the host catch up ({@link Save#NONE})
 * or saves the server and catches up after restoring it into a fresh server or resuming it; the rest
 * is the same sequence, so the two transcripts (what the guest received, the echoes it read, the
 * server's state after each step) must be the same. After every step the invariants are checked
 * ({@link FuzzChecks}); at the end the guest closes, tears down and unloads, and nothing may be left.
 */
final class FuzzRun {
    enum Save { NONE, RESTORE, RESUME }

    /** A defect seen at a step. */
    static final class Violation extends RuntimeException {
        Violation(String message) {
            super(message, null, false, false);
        }
    }

    final Map<String, Long> tally = new TreeMap<>();
    final List<String> transcript = new ArrayList<>();
    final ArrayDeque<String> recent = new ArrayDeque<>();
    private final Random rnd;
    private final int saveStep;
    private final Save save;
    final ServerConfig config;
    final FuzzHost host = new FuzzHost();
    final FuzzDevice.Ledger devices = new FuzzDevice.Ledger();
    final FuzzGuest guest;
    private final FuzzActions actions;
    private final FuzzChecks checks;
    VmbusServer server;
    private int generation;
    private int deviceCount;
    int step;
    /** The save point caught closes racing each other (see {@link #racingCloses}): the runs may differ after it. */
    boolean racingCloses;
    private String note = "";

    FuzzRun(long seed, int saveStep, Save save) {
        this.rnd = new Random(seed);
        this.saveStep = saveStep;
        this.save = save;
        this.config = config(rnd);
        this.guest = new FuzzGuest(new FuzzRings(host.memory), config.vpCount());
        this.actions = new FuzzActions(rnd, guest);
        this.checks = new FuzzChecks(this);
        this.server = newServer();
        for (int i = 1 + rnd.nextInt(3); i > 0; i--) {
            server.addDevice(new FuzzDevice(++deviceCount, devices));
        }
    }

    private static ServerConfig config(Random rnd) {
        int[] queues = {2, 8, 32, 1024};
        ServerConfig.Limits limits = ServerConfig.Limits.DEFAULTS.withTurnPoll(0).withTurnSlice(0)
                .withQueues(queues[rnd.nextInt(queues.length)], queues[rnd.nextInt(queues.length)])
                .withReceiveBytes(rnd.nextBoolean() ? 4L << 20 : 8192 + rnd.nextInt(16384));
        return new ServerConfig(1 + rnd.nextInt(4), 2 + rnd.nextInt(30), 1 + rnd.nextInt(4), Duration.ZERO, 1 << 30,
                1 << 30, limits);
    }

    private VmbusServer newServer() {
        return new VmbusServer(host.port(++generation), config);
    }

    void count(String what) {
        tally.merge(what, 1L, Long::sum);
    }

    /** Runs {@code steps} steps and the guest's teardown; a defect throws {@link Violation}. */
    void run(int steps) throws InterruptedException {
        try {
            for (step = 0; step < steps; step++) {
                if (step == saveStep) {
                    save();
                }
                act();
            }
            step = steps;
            new FuzzTeardown(this, checks).run();
        } catch (RuntimeException | AssertionError e) {
            note = checks.failureNote();
            throw e;
        } finally {
            server.close();
            host.runRequests();
            host.runTurns();
            host.close();
        }
    }

    private void act() {
        int r = rnd.nextInt(100);
        String label;
        if (host.queueFull && r < 10) {
            host.queueFull = false; // a guest that stops reading its queue mostly does so for a while only
            label = "the guest reads its SINT queue";
        } else if (!host.queueFull && host.retryAsked && r < 40) {
            host.retryAsked = false; // the host's retry comes soon after the server asked for it
            call("flush", server::flush);
            label = "the host retries";
        } else if (r < 55) {
            label = post(actions.message(), true);
        } else if (r < 65) {
            label = post(actions.mutated(), false);
        } else if (r < 67) {
            label = post(FuzzWire.garbage(rnd), false);
        } else if (r < 79) {
            label = "run " + host.runRequests() + " requests";
        } else if (r < 86) {
            label = host.runTurns() ? "run turns" : fail("channel turns never end");
        } else if (r < 90) {
            label = guest.rings.send(rnd, server);
        } else if (r < 94) {
            label = "read echoes";
        } else {
            label = hostAction(r);
        }
        finish(label == null ? "nothing to do" : label);
    }

    private String hostAction(int r) {
        switch (r) {
            case 94 -> {
                return rnd.nextInt(3) == 0 ? guest.rings.corrupt(rnd, server) : "read echoes";
            }
            case 95, 96 -> {
                host.queueFull = !host.queueFull;
                return host.queueFull ? "the guest stops reading its SINT queue" : "the guest reads its SINT queue";
            }
            case 97 -> {
                host.retryAsked = false;
                call("flush", server::flush);
                return "flush";
            }
            case 98 -> {
                List<Integer> relids = server.offeredRelids();
                if (rnd.nextBoolean() && !relids.isEmpty()) {
                    int relid = relids.get(rnd.nextInt(relids.size()));
                    return "rescind relid " + relid + ": " + call("rescind", () -> server.rescind(relid));
                }
                if (deviceCount < 6) {
                    FuzzDevice d = new FuzzDevice(++deviceCount, devices);
                    call("addDevice", () -> server.addDevice(d));
                    return "hot-add " + d;
                }
                return null;
            }
            default -> {
                if (rnd.nextBoolean()) {
                    devices.mode = rnd.nextInt(4) == 0 ? FuzzDevice.BREAK : rnd.nextInt(3) == 0 ? FuzzDevice.ACCEPT
                            : FuzzDevice.REFUSE;
                    return "device opens: " + devices.mode;
                }
                int[] relids = {0, 1, 2, 3, 2047, 2048, -1};
                int relid = relids[rnd.nextInt(relids.length)];
                call("onChannelSignal", () -> server.onChannelSignal(relid));
                return "signal relid " + relid;
            }
        }
    }

    /** The guest posts {@code w}. */
    String post(FuzzWire w, boolean intended) {
        guest.posted(w, intended);
        byte[] copy = w.bytes.clone();
        call("onMessage", () -> server.onMessage(MemorySegment.ofArray(copy), w.length));
        count(intended ? "posted well-formed" : "posted mutated");
        return "post " + w;
    }

    <T> T fail(String what) {
        throw new Violation(what);
    }

    void call(String what, Runnable r) {
        try {
            r.run();
        } catch (Throwable t) {
            throw new Violation(what + " threw " + FuzzChecks.describe(t));
        }
    }

    <T> T call(String what, Supplier<T> r) {
        try {
            return r.get();
        } catch (Throwable t) {
            throw new Violation(what + " threw " + FuzzChecks.describe(t));
        }
    }

    /**
     * After a step: what the guest received and read goes to the transcript, then the checks. Within a
     * step the transcript keeps the order of the messages about each GPADL, channel and the connection,
     * not across them: a restore starts again the grants and opens that were running, in handle and
     * relid order, so independent answers may come in another order (no guest depends on that order).
     */
    void finish(String label) {
        recent.addLast(step + ": " + label);
        if (recent.size() > 40) {
            recent.removeFirst();
        }
        transcript.add(step + ": " + label);
        List<String[]> lines = new ArrayList<>();
        for (FuzzHost.Delivered d : host.takeDelivered()) {
            guest.received(d.message());
            lines.add(new String[] {FuzzChecks.subject(d.message()), "  " + d.message().getClass().getSimpleName() + " "
                    + HexFormat.of().formatHex(d.bytes()) + " to " + d.target().vp() + "/" + d.target().sint()});
            count("received " + d.message().getClass().getSimpleName());
        }
        lines.sort(Comparator.comparing(l -> l[0])); // stable: each subject's messages keep their order
        lines.forEach(l -> transcript.add(l[1]));
        guest.rings.read().forEach(e -> transcript.add("  " + e));
        transcript.add("  state " + checks.fingerprint());
        checks.afterStep();
    }

    /**
     * Runs turns and requests until nothing is left, in the order a restore or resume settles them:
     * closes end and what waits for the guest's queue is delivered (when the guest reads it), the
     * guest's held-back messages handled, until no turn is left; then grants and opens complete. The
     * order races on a real host; a save must not change the outcome of a race, so both runs of a
     * sequence take the same order.
     */
    void quiesce() {
        for (int round = 0; round < 1000; round++) {
            for (int settle = 0; settle == 0 || !host.turnsIdle(); settle++) {
                if (settle > 1000 || !host.runTurns()) {
                    fail("channel turns never end");
                }
                if (!host.queueFull && call("blockedOnGuest", server::blockedOnGuest)) {
                    host.retryAsked = false;
                    call("flush", server::flush);
                }
            }
            host.runRequests();
            if (host.idle() && (host.queueFull || !call("blockedOnGuest", server::blockedOnGuest))) {
                return;
            }
        }
        fail("the host never becomes idle");
    }

    private void save() throws InterruptedException {
        devices.mode = FuzzDevice.ACCEPT;
        racingCloses = racingCloses();
        if (save != Save.NONE) {
            VmbusServerState state = snapshot();
            if (save == Save.RESTORE) {
                restore(state);
            } else {
                call("resume", server::resume);
            }
        } else {
            // A resumed or restored channel looks at its ring once, as after a signal: here every open one gets one.
            List<Integer> open;
            synchronized (server) {
                open = server.channels().offers().values().stream().filter(o -> o.state instanceof ChannelState.Open)
                        .map(o -> o.relid).toList();
            }
            open.forEach(relid -> call("onChannelSignal", () -> server.onChannelSignal(relid)));
        }
        quiesce();
        host.retryAsked = call("blockedOnGuest", server::blockedOnGuest); // whoever asked: a retry is due while blocked
        finish("save point");
    }

    /**
     * Whether the save point caught a close in progress (a closing channel, or an open the guest closed
     * before its result) while a reopen waits or guest messages are held back: on a real host the close
     * races with them (a reopen or an open may need the closing channel's relid or ring GPADL). A
     * restore ends such closes at once, before the held-back messages, in relid order; here they end
     * when their turn or request runs. Either order is right, and the runs may differ after it.
     */
    private boolean racingCloses() {
        synchronized (server) {
            List<ChannelState> closing = server.channels().offers().values().stream().map(o -> o.state)
                    .filter(st -> st instanceof ChannelState.Closing
                            || (st instanceof ChannelState.Opening op && op.cancelled() != null)).toList();
            boolean reopen = closing.stream().anyMatch(st -> st instanceof ChannelState.Closing c && c.reopen() != null);
            return !closing.isEmpty() && (reopen || server.queues().hasDeferred());
        }
    }

    private VmbusServerState snapshot() throws InterruptedException {
        host.threadTurns();
        long start = System.nanoTime();
        VmbusServerState state = call("snapshot", server::snapshot);
        long took = System.nanoTime() - start;
        if (!host.queueTurns()) {
            fail("a channel turn still runs 10 s after the snapshot");
        }
        if (took > TimeUnit.MILLISECONDS.toNanos(500)) {
            fail("the snapshot took " + took / 1_000_000 + " ms");
        }
        FuzzChecks.countPhases(state, this);
        return checks.throughCodec(state);
    }

    private void restore(VmbusServerState state) {
        List<VmbusDeviceClass> devicesNow = List.copyOf(server.devices()); // a rescinded device is not among them
        call("close", server::close);
        server = newServer();
        for (VmbusDeviceClass d : devicesNow) {
            server.addDevice(new FuzzDevice(FuzzDevice.index(d.instance()), devices));
        }
        try {
            server.restore(state);
        } catch (Throwable t) {
            fail("restore refused the server's own snapshot: " + FuzzChecks.describe(t));
        }
        count("restored");
    }

    void postTeardown(int relidOrHandle, boolean channel) {
        post(FuzzWire.of(channel ? new CloseChannel(relidOrHandle) : new GpadlTeardown(
                guest.gpadls.containsKey(relidOrHandle) ? guest.gpadls.get(relidOrHandle).relid : 0, relidOrHandle)), true);
    }

    void postUnload() {
        post(FuzzWire.of(new Unload()), true);
    }

    Save saveKind() {
        return save;
    }

    /** The server's state when the run failed. */
    String failureNote() {
        return note;
    }
}
