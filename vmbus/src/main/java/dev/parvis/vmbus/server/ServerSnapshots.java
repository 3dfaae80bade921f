package dev.parvis.vmbus.server;

import dev.parvis.abi.vmbus.ChannelMessage;
import dev.parvis.abi.vmbus.Guid;
import dev.parvis.abi.vmbus.OpenChannel;
import dev.parvis.abi.vmbus.VmbusVersion;
import dev.parvis.vmbus.device.ChannelHandler;
import dev.parvis.vmbus.device.VmbusChannel;
import dev.parvis.vmbus.device.VmbusDeviceClass;
import dev.parvis.vmcore.GuestMemoryView;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@link VmbusServer#snapshot} and {@link VmbusServer#restore}: the server's state machine to and
 * from {@link VmbusServerState}. Runs under the server's lock. Restore trusts nothing in the state
 * (it may come from a file): every relid, handle, page, offset and VP is checked as the
 * corresponding guest message would be.
 */
final class ServerSnapshots {
    private ServerSnapshots() {
    }

    // ---- capture -----------------------------------------------------------------------------

    static VmbusServerState capture(VmbusServer s, long pauseNanos) {
        List<VmbusServerState.OfferEntry> offers = new ArrayList<>();
        for (Offer o : s.channels().offers().values()) {
            offers.add(new VmbusServerState.OfferEntry(o.relid, o.device.interfaceType(), o.device.instance(),
                    o.connectionId, o.rescinded, o.released, o.endedByHost, channel(o.state, pauseNanos)));
        }
        List<VmbusServerState.GpadlEntry> gpadls = new ArrayList<>();
        s.gpadls().all().forEach((handle, g) -> gpadls.add(gpadl(handle, g)));
        List<VmbusServerState.PendingMessage> pending = s.queues().pendingMessages().stream()
                .map(p -> new VmbusServerState.PendingMessage(p.target().vp(), p.target().sint(), p.message().toBytes()))
                .toList();
        List<byte[]> deferred = s.queues().deferredMessages();
        return switch (s.connection()) {
            case ConnectionState.Disconnected d -> new VmbusServerState(VmbusServerState.DISCONNECTED, 0, 0, 0, false, "",
                    offers, gpadls, pending, deferred);
            case ConnectionState.Failed f -> new VmbusServerState(VmbusServerState.FAILED, 0, 0, 0, false, f.reason(),
                    offers, gpadls, pending, deferred);
            case ConnectionState.Connected c -> new VmbusServerState(VmbusServerState.CONNECTED, c.version().raw(),
                    c.target().vp(), c.target().sint(), c.offersSent(), "", offers, gpadls, pending, deferred);
        };
    }

    /** The channel as saved; a data path that does not reach a packet boundary in time is saved as closing. */
    private static VmbusServerState.ChannelEntry channel(ChannelState state, long pauseNanos) {
        return switch (state) {
            case ChannelState.Offered x -> null;
            case ChannelState.Opening op -> new VmbusServerState.ChannelEntry(op.cancelled() == null
                    ? VmbusServerState.ChannelEntry.OPENING : VmbusServerState.ChannelEntry.CLOSING, op.request(), null);
            case ChannelState.Open open -> {
                boolean paused = open.channel().pause(pauseNanos);
                yield new VmbusServerState.ChannelEntry(paused ? VmbusServerState.ChannelEntry.OPEN
                        : VmbusServerState.ChannelEntry.CLOSING, open.request(), null);
            }
            case ChannelState.Closing c -> {
                if (c.channel() != null) {
                    c.channel().pause(pauseNanos);
                }
                yield new VmbusServerState.ChannelEntry(VmbusServerState.ChannelEntry.CLOSING, c.request(),
                        c.reopen());
            }
        };
    }

    private static VmbusServerState.GpadlEntry gpadl(int handle, GpadlState g) {
        return switch (g) {
            case GpadlState.Assembling a -> new VmbusServerState.GpadlEntry(handle, a.relid(),
                    VmbusServerState.GpadlEntry.ASSEMBLING, a.pfns(), a.filled(), a.byteCount(), a.byteOffset(), 0, false);
            case GpadlState.Granting gr -> new VmbusServerState.GpadlEntry(handle, gr.relid(),
                    VmbusServerState.GpadlEntry.GRANTING, gr.gpns(), gr.gpns().length, gr.byteCount(), gr.byteOffset(), 0,
                    gr.teardownRequested());
            case GpadlState.Created c -> new VmbusServerState.GpadlEntry(handle, c.relid(),
                    VmbusServerState.GpadlEntry.CREATED, c.gpns(), c.gpns().length, c.byteCount(), c.byteOffset(), c.user(),
                    c.teardownRequested());
        };
    }

    // ---- restore -----------------------------------------------------------------------------

    static void restore(VmbusServer s, VmbusServerState state) {
        if (!(s.connection() instanceof ConnectionState.Disconnected) || !s.channels().offers().isEmpty()
                || s.gpadls().count() > 0 || s.queues().blocked() || s.queues().hasDeferred()) {
            throw new IllegalStateException("VMBus restore needs a fresh server");
        }
        Restoring r = new Restoring(s);
        try {
            r.connection(state);
            r.offers(state.offers());
            r.gpadls(state.gpadls());
            r.channels(state.offers());
            r.teardowns();
            r.queues(state);
        } catch (RuntimeException e) {
            r.undo();
            s.close();
            throw new IllegalStateException("VMBus state cannot be restored: " + e.getMessage(), e);
        }
        r.finish();
    }

    /**
     * The device of a rescinded offer: rescind took it from the server's devices (it was hot-removed,
     * so the host that restores does not have it either), and the offer only waits for the guest's
     * RELID_RELEASED and for its close to end. Never opened again: a rescinded offer refuses opens.
     */
    private record RescindedDevice(Guid interfaceType, Guid instance) implements VmbusDeviceClass {
        @Override
        public ChannelHandler open(VmbusChannel channel) {
            throw new IllegalStateException("the offer of " + interfaceType + "/" + instance + " was rescinded");
        }
    }

    /** One restore in progress: what it built, so that a failure can undo it and a success start it. */
    private static final class Restoring {
        private final VmbusServer s;
        private final List<ServerChannel> opened = new ArrayList<>();
        private final List<ChannelHandler> handlers = new ArrayList<>();
        private final List<Offer> closing = new ArrayList<>();
        private final List<Integer> granting = new ArrayList<>();
        /** Created GPADLs whose teardown waited for their channel: restored unflagged, flagged once bound. */
        private final List<Integer> teardowns = new ArrayList<>();
        private final Set<Long> ringPages = new HashSet<>();

        Restoring(VmbusServer s) {
            this.s = s;
        }

        void connection(VmbusServerState state) {
            switch (state.phase()) {
                case VmbusServerState.DISCONNECTED, VmbusServerState.FAILED -> {
                    if (!state.offers().isEmpty() || !state.gpadls().isEmpty()) {
                        throw new IllegalArgumentException("offers or GPADLs without a connection");
                    }
                    if (state.phase() == VmbusServerState.FAILED) {
                        s.connection(new ConnectionState.Failed(state.failure()));
                    }
                }
                default -> {
                    VmbusVersion version = new VmbusVersion(state.version());
                    if (!VmbusServer.SUPPORTED_VERSIONS.contains(version)) {
                        throw new IllegalArgumentException("version " + version + " is not supported");
                    }
                    if (state.targetVp() < 0 || state.targetVp() >= s.config().vpCount() || state.targetSint() < 0
                            || state.targetSint() >= VmbusServer.SINT_COUNT) {
                        throw new IllegalArgumentException("message target VP " + state.targetVp() + " SINT "
                                + state.targetSint());
                    }
                    s.connection(new ConnectionState.Connected(version,
                            new GuestTarget(state.targetVp(), state.targetSint()), state.offersSent()));
                }
            }
        }

        void offers(List<VmbusServerState.OfferEntry> entries) {
            List<VmbusDeviceClass> unmatched = new ArrayList<>(s.devices());
            for (VmbusServerState.OfferEntry e : entries) {
                if (e.relid() <= 0 || e.relid() >= dev.parvis.abi.vmbus.VmbusConstants.MAX_CHANNELS
                        || s.channels().known(e.relid()) || (e.released() && !e.rescinded())) {
                    throw new IllegalArgumentException("offer relid " + e.relid());
                }
                VmbusDeviceClass device;
                if (e.rescinded()) {
                    device = new RescindedDevice(e.interfaceType(), e.instance());
                } else {
                    device = unmatched.stream()
                            .filter(d -> d.interfaceType().equals(e.interfaceType()) && d.instance().equals(e.instance()))
                            .findFirst()
                            .orElseThrow(() -> new IllegalArgumentException("no device " + e.interfaceType() + "/"
                                    + e.instance() + " for relid " + e.relid()));
                    unmatched.remove(device);
                }
                Offer o = new Offer(e.relid(), device, s.createSignal(e.relid()));
                o.rescinded = e.rescinded();
                o.released = e.released();
                o.endedByHost = e.endedByHost();
                s.channels().restore(o);
                if (o.connectionId != e.connectionId()) {
                    throw new IllegalArgumentException("relid " + e.relid() + " got connection id 0x"
                            + Integer.toHexString(o.connectionId) + ", the guest has 0x" + Integer.toHexString(e.connectionId()));
                }
            }
        }

        void gpadls(List<VmbusServerState.GpadlEntry> entries) {
            for (VmbusServerState.GpadlEntry g : entries) {
                // The relid only labels the GPADL (it belongs to the connection): its offer may be gone, released.
                if (g.relid() <= 0 || g.relid() >= dev.parvis.abi.vmbus.VmbusConstants.MAX_CHANNELS) {
                    throw new IllegalArgumentException("GPADL 0x" + Integer.toHexString(g.handle()) + " of relid "
                            + g.relid());
                }
                GpadlState state = switch (g.phase()) {
                    case VmbusServerState.GpadlEntry.ASSEMBLING -> new GpadlState.Assembling(g.relid(), g.byteOffset(),
                            g.byteCount(), g.pfns(), g.filled());
                    case VmbusServerState.GpadlEntry.GRANTING -> new GpadlState.Granting(g.relid(), g.byteOffset(),
                            g.byteCount(), g.pfns(), 0, g.teardownRequested());
                    default -> {
                        GuestMemoryView view = s.effects().openGuestPages(g.pfns());
                        if (g.teardownRequested()) {
                            teardowns.add(g.handle());
                        }
                        yield new GpadlState.Created(g.relid(), g.byteOffset(), g.byteCount(), g.pfns(), view, 0, false);
                    }
                };
                s.gpadls().restore(g.handle(), state);
                if (g.phase() == VmbusServerState.GpadlEntry.GRANTING) {
                    granting.add(g.handle());
                }
            }
        }

        void channels(List<VmbusServerState.OfferEntry> entries) {
            for (VmbusServerState.OfferEntry e : entries) {
                VmbusServerState.ChannelEntry ch = e.channel();
                if (ch == null) {
                    continue;
                }
                Offer o = s.channels().offers().get(e.relid());
                VmbusServerState.Open request = checked(o, ch.open());
                VmbusServerState.Open reopen = ch.reopen() == null ? null : unchecked(o, ch.reopen());
                s.gpadls().markInUse(request.ringGpadl(), o.relid);
                switch (ch.phase()) {
                    case VmbusServerState.ChannelEntry.OPEN -> reopenChannel(o, request);
                    case VmbusServerState.ChannelEntry.OPENING -> o.state = new ChannelState.Opening(request,
                            s.requestOpen(o, s.gpadls().view(request.ringGpadl()), request), null);
                    default -> {
                        o.state = new ChannelState.Closing(request, null, reopen);
                        closing.add(o);
                    }
                }
            }
        }

        void teardowns() {
            for (int handle : teardowns) {
                if (!s.gpadls().teardownWaits(handle)) {
                    s.gpadls().onTeardown(handle);
                }
            }
        }

        /** The saved OPEN_CHANNEL checked as the guest's message would be; the host sizes the buffer again. */
        private VmbusServerState.Open checked(Offer o, VmbusServerState.Open open) {
            OpenChannel m = new OpenChannel(o.relid, open.openId(), open.ringGpadl(), open.targetVp(),
                    open.downstreamPageOffset(), open.userData());
            String refusal = ChannelOpening.check(m, o, s.gpadls(), s.config().vpCount(), ringPages);
            if (refusal != null) {
                throw new IllegalArgumentException("channel " + o.relid + ": " + refusal);
            }
            for (long gpn : s.gpadls().gpns(open.ringGpadl())) {
                ringPages.add(gpn);
            }
            return unchecked(o, open);
        }

        private static VmbusServerState.Open unchecked(Offer o, VmbusServerState.Open open) {
            return new VmbusServerState.Open(open.openId(), open.ringGpadl(), open.downstreamPageOffset(), open.targetVp(),
                    open.userData(), ChannelOpening.receiveBufferBytes(o, open.downstreamPageOffset()));
        }

        private void reopenChannel(Offer o, VmbusServerState.Open request) {
            ServerChannel channel = ChannelOpening.build(s, s.effects(), s.errors(), s.config(), o,
                    s.gpadls().view(request.ringGpadl()), request);
            ChannelHandler handler = o.device.open(channel);
            if (handler == null) {
                throw new IllegalStateException("device returned no handler for relid " + o.relid);
            }
            opened.add(channel);
            handlers.add(handler);
            o.state = new ChannelState.Open(request, channel);
            s.channels().markLive(o.relid, channel);
        }

        void queues(VmbusServerState state) {
            for (VmbusServerState.PendingMessage p : state.pending()) {
                byte[] bytes = p.bytes();
                ChannelMessage message = ChannelMessage.parse(MemorySegment.ofArray(bytes), bytes.length);
                if (p.vp() < 0 || p.vp() >= s.config().vpCount() || p.sint() < 0 || p.sint() >= VmbusServer.SINT_COUNT
                        || !s.queues().hold(new ControlQueues.Outgoing(message, new GuestTarget(p.vp(), p.sint())))) {
                    throw new IllegalArgumentException("pending message for VP " + p.vp() + " SINT " + p.sint());
                }
            }
            for (byte[] m : state.deferred()) {
                if (m.length > dev.parvis.abi.vmbus.VmbusConstants.MAX_MESSAGE_SIZE || !s.queues().defer(m)) {
                    throw new IllegalArgumentException("held-back guest message of " + m.length + " bytes");
                }
            }
        }

        void undo() {
            for (int i = 0; i < opened.size(); i++) {
                opened.get(i).discard(handlers.get(i));
            }
        }

        /** Starts what was rebuilt: data paths, grants that were running, closes that were running, the queue. */
        void finish() {
            for (int i = 0; i < opened.size(); i++) {
                opened.get(i).start(handlers.get(i));
            }
            granting.forEach(s.gpadls()::regrant);
            for (Offer o : closing) {
                if (o.state instanceof ChannelState.Closing c) {
                    s.channels().closed(o, c.request(), c.reopen());
                }
            }
            s.flush();
        }
    }
}
