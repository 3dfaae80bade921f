package dev.parvis.vmbus.server;

import dev.parvis.abi.vmbus.ChannelMessage;
import dev.parvis.abi.vmbus.GpadlCreated;
import dev.parvis.abi.vmbus.GpadlTorndown;
import dev.parvis.abi.vmbus.ModifyChannelResponse;
import dev.parvis.abi.vmbus.OpenChannelResult;
import dev.parvis.abi.vmbus.RescindChannelOffer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The invariants of a fuzzed run, checked after every step: nothing the host, the devices or the
 * guest saw was wrong; the server's queues, GPADLs and requests stay within their bounds; a signal
 * path exists for exactly the relids offered; and whenever the host is idle, every granted view
 * belongs to a created GPADL, every device handler to an open channel, and every answer the guest is
 * owed has come (unless its queue is full). At the end everything is released. Also the server's
 * state as the transcript records it, and the saved state's trip through the saved-state codec.
 */
final class FuzzChecks {
    private final FuzzRun run;
    private boolean failureSeen;

    FuzzChecks(FuzzRun run) {
        this.run = run;
    }

    static String describe(Throwable t) {
        return t + " at " + Arrays.stream(t.getStackTrace()).limit(4).map(StackTraceElement::toString)
                .collect(Collectors.joining(" < "));
    }

    /** What a message from the server is about: one GPADL, one relid, or the connection. */
    static String subject(ChannelMessage m) {
        return switch (m) {
            case GpadlCreated c -> "gpadl " + c.gpadl();
            case GpadlTorndown t -> "gpadl " + t.gpadl();
            case OpenChannelResult r -> "relid " + r.childRelid();
            case RescindChannelOffer r -> "relid " + r.childRelid();
            case ModifyChannelResponse r -> "relid " + r.childRelid();
            default -> "connection"; // offers too: they come in order with ALLOFFERS_DELIVERED
        };
    }

    void afterStep() {
        List<String> seen = new ArrayList<>(run.host.takeViolations());
        seen.addAll(run.devices.takeViolations());
        seen.addAll(run.guest.takeViolations());
        seen.addAll(run.guest.rings.takeViolations());
        if (!seen.isEmpty()) {
            run.fail(seen.getFirst() + (seen.size() > 1 ? " (and " + (seen.size() - 1) + " more: " + seen + ")" : ""));
        }
        Optional<String> failure = run.call("failure", run.server::failure);
        if (failure.isPresent() && !failureSeen) {
            failureSeen = true;
            run.count("connection failed: " + failure.get().replaceAll("\\d+", "#"));
            run.guest.connectionFailed();
        }
        if (failure.isPresent()) {
            released("a failed connection");
        } else if (disconnected()) {
            unloaded();
        }
        bounds();
        Set<Integer> offered = Set.copyOf(run.call("offeredRelids", run.server::offeredRelids));
        if (!run.host.signals().equals(offered)) {
            run.fail("signal paths " + run.host.signals() + " for the offered relids " + offered);
        }
        if (run.host.idle()) {
            idle();
        }
    }

    private void bounds() {
        VmbusServer s = run.server;
        ServerConfig c = run.config;
        synchronized (s) {
            ControlQueues q = s.queues();
            long assembling = s.gpadls().all().values().stream().filter(g -> g instanceof GpadlState.Assembling).count();
            if (q.pendingCount() > c.limits().maxPendingMessages() || q.deferredCount() > c.limits().maxDeferredMessages()
                    || s.gpadls().count() > c.maxGpadls() || assembling > c.maxPendingGpadls()) {
                run.fail("bounds broken: %d pending, %d held back, %d GPADLs, %d assembling".formatted(q.pendingCount(),
                        q.deferredCount(), s.gpadls().count(), assembling));
            }
            int requestBound = 2 * c.maxGpadls() + 2 * s.channels().offers().size() + 16;
            if (run.host.queuedRequests() > requestBound) {
                run.fail(run.host.queuedRequests() + " requests queued (bound " + requestBound + ")");
            }
        }
    }

    /** Nothing runs: what is held is exactly what the state says. */
    private void idle() {
        VmbusServer s = run.server;
        long created;
        long open;
        synchronized (s) {
            created = s.gpadls().all().values().stream().filter(g -> g instanceof GpadlState.Created).count();
            open = s.channels().offers().values().stream().filter(o -> o.state instanceof ChannelState.Open).count();
        }
        int views = run.host.memory.openViewCount();
        if (views != created) {
            run.fail(views + " guest memory views open for " + created + " created GPADLs");
        }
        if (run.devices.live() != open) {
            run.fail(run.devices.live() + " device handlers open for " + open + " open channels");
        }
        if (!run.host.queueFull && !run.call("blockedOnGuest", s::blockedOnGuest)) {
            List<String> unanswered = run.guest.unanswered();
            if (!unanswered.isEmpty()) {
                run.fail("requests unanswered while the server is idle: " + unanswered);
            }
        }
    }

    /**
     * After the guest's unload, the host's close or a failure: nothing of the connection is left (views
     * and device handlers once the host has run the releases and the channels' last turns).
     */
    void released(String when) {
        VmbusServer s = run.server;
        synchronized (s) {
            if (s.gpadls().count() != 0 || !s.channels().offers().isEmpty() || s.queues().pendingCount() != 0
                    || s.queues().deferredCount() != 0 || s.pendingPfnSlots() != 0) {
                run.fail(when + ": the server still holds " + s.gpadls().count() + " GPADLs, offers "
                        + s.channels().offers().keySet() + ", " + s.queues().pendingCount() + " pending and "
                        + s.queues().deferredCount() + " held-back messages");
            }
        }
        if (!run.host.signals().isEmpty() || (run.host.idle() && (run.host.memory.openViewCount() != 0
                || run.devices.live() != 0))) {
            run.fail(when + ": left signal paths " + run.host.signals() + ", " + run.host.memory.openViewCount()
                    + " views, " + run.devices.live() + " device handlers");
        }
    }

    void guardsIntact() {
        if (!run.host.memory.guardsIntact()) {
            run.fail("something wrote outside the guest's pages");
        }
    }

    private boolean disconnected() {
        synchronized (run.server) {
            return run.server.connection() instanceof ConnectionState.Disconnected;
        }
    }

    /** No connection (never made, or the guest unloaded): nothing of one is held; answers may still wait. */
    private void unloaded() {
        VmbusServer s = run.server;
        synchronized (s) {
            if (s.gpadls().count() != 0 || !s.channels().offers().isEmpty()) {
                run.fail("without a connection the server holds " + s.gpadls().count() + " GPADLs and offers "
                        + s.channels().offers().keySet());
            }
        }
        if (!run.host.signals().isEmpty() || (run.host.idle() && (run.host.memory.openViewCount() != 0
                || run.devices.live() != 0))) {
            run.fail("without a connection: signal paths " + run.host.signals() + ", "
                    + run.host.memory.openViewCount() + " views, " + run.devices.live() + " device handlers");
        }
    }

    /** The server's state as the transcript records it (both runs of a sequence must agree). */
    String fingerprint() {
        VmbusServer s = run.server;
        StringBuilder b = new StringBuilder();
        synchronized (s) {
            b.append(s.connection());
            s.channels().offers().values().forEach(o -> b.append(" | ").append(o.relid).append(o.rescinded ? "r" : "")
                    .append(o.released ? "R" : "").append(':').append(channel(o.state)));
            s.gpadls().all().forEach((h, g) -> b.append(" | 0x").append(Integer.toHexString(h)).append(':')
                    .append(gpadl(g)));
            b.append(" | queues ").append(s.queues().pendingCount()).append('/').append(s.queues().deferredCount());
        }
        return b.toString();
    }

    private static String channel(ChannelState state) {
        return switch (state) {
            case ChannelState.Offered x -> "offered";
            case ChannelState.Opening op -> "opening " + open(op.request()) + (op.cancelled() == null ? "" : " cancelled");
            case ChannelState.Open o -> "open " + open(o.request());
            case ChannelState.Closing c -> "closing " + open(c.request()) + (c.reopen() == null ? "" : " reopen "
                    + open(c.reopen()));
        };
    }

    private static String open(VmbusServerState.Open o) {
        return "#" + o.openId() + "@0x" + Integer.toHexString(o.ringGpadl()) + "/" + o.downstreamPageOffset() + "vp"
                + o.targetVp() + "rx" + o.receiveBytes();
    }

    private static String gpadl(GpadlState g) {
        String common = g.relid() + "," + g.byteOffset() + "+" + g.byteCount();
        return switch (g) {
            case GpadlState.Assembling a -> "assembling " + common + " " + a.filled() + "/" + a.pfns().length;
            case GpadlState.Granting gr -> "granting " + common + (gr.teardownRequested() ? " torn" : "");
            case GpadlState.Created c -> "created " + common + " user " + c.user() + (c.teardownRequested() ? " torn" : "");
        };
    }

    /** The saved state written and read back as a saved.state file carries it: it must read, and read the same. */
    VmbusServerState throughCodec(VmbusServerState state) {
        byte[] bytes = VmbusStateCodec.encode(state);
        VmbusServerState decoded;
        try {
            decoded = VmbusStateCodec.decode(bytes, (int) run.host.memory.unmappedGpn());
        } catch (IllegalArgumentException e) {
            return run.fail("the saved-state codec refuses a state the server saved: " + e.getMessage());
        }
        if (!Arrays.equals(VmbusStateCodec.encode(decoded), bytes)) {
            run.fail("the saved state reads back differently");
        }
        return decoded;
    }

    /** Tallies the phases a snapshot caught (how deep the sequences reach). */
    static void countPhases(VmbusServerState state, FuzzRun run) {
        run.count("saved connection phase " + state.phase());
        for (VmbusServerState.OfferEntry o : state.offers()) {
            run.count(o.channel() == null ? "saved offer without channel" : "saved channel phase " + o.channel().phase()
                    + (o.channel().reopen() == null ? "" : " with reopen"));
            if (o.rescinded()) {
                run.count("saved rescinded offer" + (o.released() ? ", released" : ""));
            }
        }
        state.gpadls().forEach(g -> run.count("saved GPADL phase " + g.phase() + (g.teardownRequested() ? " torn" : "")
                + (g.user() != 0 ? " in use" : "")));
        if (!state.pending().isEmpty()) {
            run.count("saved pending messages");
        }
        if (!state.deferred().isEmpty()) {
            run.count("saved held-back messages");
        }
    }

    String failureNote() {
        try {
            return "server state: " + fingerprint();
        } catch (RuntimeException e) {
            return "server state unavailable: " + e;
        }
    }
}
