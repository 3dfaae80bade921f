package dev.parvis.vmbus.server;

import dev.parvis.abi.vmbus.ModifyChannel;
import dev.parvis.abi.vmbus.ModifyChannelResponse;
import dev.parvis.abi.vmbus.OfferChannel;
import dev.parvis.abi.vmbus.OpenChannel;
import dev.parvis.abi.vmbus.OpenChannelResult;
import dev.parvis.abi.vmbus.RescindChannelOffer;
import dev.parvis.abi.vmbus.VmbusConstants;
import dev.parvis.vmbus.device.ChannelHandler;
import dev.parvis.vmbus.device.VmbusDeviceClass;
import dev.parvis.vmcore.GuestMemoryView;

import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The offers of one connection and their channels' state machine (OpenVMM channels.rs is the
 * model): OPEN_CHANNEL moves a channel to Opening and starts an open request; its completion makes
 * it Open and answers OPENCHANNEL_RESULT; CLOSE_CHANNEL, a rescind or a broken ring move it to
 * Closing until its data path has stopped. Nothing here does I/O or waits: requests go to the
 * server's runner and messages to the server's queue. Used under the server's lock.
 */
final class ChannelTable {
    private final VmbusServer server;
    private final Gpadls gpadls;
    private final GuestErrorLog errors;
    private final ServerConfig config;
    private final TreeMap<Integer, Offer> offers = new TreeMap<>();
    private final AtomicReferenceArray<ServerChannel> live = new AtomicReferenceArray<>(VmbusConstants.MAX_CHANNELS);
    /** Views of GPADLs dropped (unload, failure) while an open request on them was still running. */
    private final Map<Long, GuestMemoryView> orphanViews = new java.util.HashMap<>();

    ChannelTable(VmbusServer server, Gpadls gpadls, GuestErrorLog errors, ServerConfig config) {
        this.server = server;
        this.gpadls = gpadls;
        this.errors = errors;
        this.config = config;
    }

    // ---- offers ------------------------------------------------------------------------------

    void offer(VmbusDeviceClass device) {
        int relid = 1;
        while (offers.containsKey(relid)) {
            relid++;
        }
        if (relid >= VmbusConstants.MAX_CHANNELS) {
            errors.report("no relid left for " + device.interfaceType() + "/" + device.instance());
            return;
        }
        Offer o = new Offer(relid, device, server.createSignal(relid));
        offers.put(relid, o);
        server.send(new OfferChannel(device.interfaceType(), device.instance(), device.offerFlags(), device.mmioMegabytes(),
                device.userDefined(), (short) 0, relid, (byte) VmbusConstants.MONITOR_ID_NONE, false, true, o.connectionId));
    }

    /** Hot-remove: RESCIND_CHANNEL_OFFER, and the channel closes; the relid stays until RELID_RELEASED. */
    boolean rescind(int relid) {
        Offer o = offers.get(relid);
        if (o == null || o.rescinded) {
            return false;
        }
        o.rescinded = true;
        stop(o, "rescinded");
        server.send(new RescindChannelOffer(relid));
        return true;
    }

    void onRelidReleased(int relid) {
        Offer o = offers.get(relid);
        if (o == null || !o.rescinded || o.released) {
            errors.report("RELID_RELEASED for relid " + relid + " that was not rescinded");
            return;
        }
        if (o.state instanceof ChannelState.Offered) {
            forget(o);
        } else {
            o.released = true; // freed when the close completes
        }
    }

    /** Frees {@code o}'s relid and signal path, once: a failure the close caused may have cleared the table. */
    private void forget(Offer o) {
        if (offers.remove(o.relid, o)) {
            server.releaseSignal(o.relid);
        }
    }

    // ---- open --------------------------------------------------------------------------------

    void onOpen(OpenChannel m) {
        Offer o = offers.get(m.childRelid());
        String refusal;
        if (o != null && o.state instanceof ChannelState.Closing c && c.reopen() == null && !o.rescinded) {
            // Opened when the close completes, as OpenVMM's ClosingReopen; what no GPADL could make valid is refused now.
            refusal = ChannelOpening.checkTarget(m, config.vpCount());
            if (refusal == null) {
                o.state = new ChannelState.Closing(c.request(), c.channel(), request(m, o));
                return;
            }
        } else {
            refusal = refusal(m, o);
            if (refusal == null) {
                o.endedByHost = false; // reopened: its next CLOSE_CHANNEL closes this open
                startOpen(o, request(m, o));
                return;
            }
        }
        errors.report("OPEN_CHANNEL of relid " + m.childRelid() + " refused: " + refusal);
        server.send(new OpenChannelResult(m.childRelid(), m.openId(), VmbusConstants.STATUS_UNSUCCESSFUL));
    }

    private VmbusServerState.Open request(OpenChannel m, Offer o) {
        GpadlState.Created g = gpadls.available(m.ringBufferGpadlHandle());
        int buffer = g == null ? 0 : ChannelOpening.receiveBufferBytes(o, m.downstreamRingBufferPageOffset());
        return new VmbusServerState.Open(m.openId(), m.ringBufferGpadlHandle(), m.downstreamRingBufferPageOffset(), m.targetVp(),
                m.userData(), buffer);
    }

    /** Why OPEN_CHANNEL cannot open {@code o} now: protocol checks, aliased ring pages, the receive budget. */
    private String refusal(OpenChannel m, Offer o) {
        if (o != null && o.rescinded) {
            return "the offer was rescinded";
        }
        String refusal = ChannelOpening.check(m, o, gpadls, config.vpCount(), ringPagesInUse());
        if (refusal != null) {
            return refusal;
        }
        long buffer = ChannelOpening.receiveBufferBytes(o, m.downstreamRingBufferPageOffset());
        long inUse = receiveBytes();
        if (inUse + buffer > config.limits().maxReceiveBytes()) {
            return "receive buffers of the open channels would reach " + (inUse + buffer) + " bytes (limit "
                    + config.limits().maxReceiveBytes() + ")";
        }
        return null;
    }

    private void startOpen(Offer o, VmbusServerState.Open r) {
        gpadls.markInUse(r.ringGpadl(), o.relid);
        long epoch = server.requestOpen(o, gpadls.view(r.ringGpadl()), r);
        o.state = new ChannelState.Opening(r, epoch, null);
    }

    /** The open request {@code epoch} built {@code channel} and the device accepted it with {@code handler}. */
    void opened(int relid, long epoch, ServerChannel channel, ChannelHandler handler) {
        try {
            Offer o = offers.get(relid);
            if (o == null || !(o.state instanceof ChannelState.Opening op) || op.epoch() != epoch || op.cancelled() != null) {
                channel.discard(handler);
                if (o != null && o.state instanceof ChannelState.Opening op2 && op2.epoch() == epoch) {
                    closed(o, op2.request(), null);
                }
                return;
            }
            o.state = new ChannelState.Open(op.request(), channel);
            live.set(relid, channel);
            server.send(new OpenChannelResult(relid, op.request().openId(), VmbusConstants.STATUS_SUCCESS));
            channel.start(handler);
        } finally {
            releaseOrphan(epoch);
        }
    }

    /** The open request {@code epoch} failed: the device refused, or the rings could not be built. */
    void openFailed(int relid, long epoch, String reason) {
        try {
            Offer o = offers.get(relid);
            if (o == null || !(o.state instanceof ChannelState.Opening op) || op.epoch() != epoch) {
                return;
            }
            if (op.cancelled() == null) {
                errors.report("OPEN_CHANNEL of relid " + relid + " refused: " + reason);
                server.send(new OpenChannelResult(relid, op.request().openId(), VmbusConstants.STATUS_UNSUCCESSFUL));
            }
            closed(o, op.request(), null);
        } finally {
            releaseOrphan(epoch);
        }
    }

    /**
     * Releases the ring GPADL's view the connection dropped while open request {@code epoch} ran, now
     * that the request is over. Last in the completion: its own answer may overflow the guest's queue
     * and fail the connection, which then hands the view over here.
     */
    private void releaseOrphan(long epoch) {
        GuestMemoryView orphan = orphanViews.remove(epoch);
        if (orphan != null) {
            server.releaseView(orphan);
        }
    }

    // ---- close -------------------------------------------------------------------------------

    void onClose(int relid) {
        Offer o = offers.get(relid);
        if (o != null && o.endedByHost && o.state instanceof ChannelState.Offered) {
            o.endedByHost = false; // the guest cleans up after the host stopped the channel
            return;
        }
        if (o == null || !stop(o, "closed by the guest")) {
            errors.report("CLOSE_CHANNEL of relid " + relid + " that is not open");
        }
    }

    /** Asks the channel of {@code o} to stop; false when it was not open or opening. */
    private boolean stop(Offer o, String reason) {
        switch (o.state) {
            case ChannelState.Open open -> {
                o.state = new ChannelState.Closing(open.request(), open.channel(), null);
                open.channel().requestClose(reason);
                return true;
            }
            case ChannelState.Opening op -> {
                if (op.cancelled() == null) {
                    o.state = new ChannelState.Opening(op.request(), op.epoch(), reason);
                }
                return true;
            }
            case ChannelState.Closing c -> {
                if (c.reopen() != null) {
                    o.state = new ChannelState.Closing(c.request(), c.channel(), null);
                }
                return true;
            }
            case ChannelState.Offered x -> {
                return false;
            }
        }
    }

    /** A channel's data path ended (any reason): its offer is closed, its GPADL and buffer released. */
    void terminated(ServerChannel channel) {
        live.compareAndSet(channel.relid(), channel, null);
        Offer o = offers.get(channel.relid());
        if (o == null) {
            return;
        }
        switch (o.state) {
            case ChannelState.Open open when open.channel() == channel -> {
                closed(o, open.request(), null);
                o.endedByHost = true;
            }
            case ChannelState.Closing c when c.channel() == channel -> closed(o, c.request(), c.reopen());
            default -> {
            }
        }
    }

    /** Completes a close: the ring GPADL is free again (or torn down if that waited), then any reopen. */
    void closed(Offer o, VmbusServerState.Open request, VmbusServerState.Open reopen) {
        o.state = new ChannelState.Offered();
        gpadls.release(request.ringGpadl(), o.relid);
        if (o.released) {
            forget(o);
            return;
        }
        if (reopen != null) {
            OpenChannel m = new OpenChannel(o.relid, reopen.openId(), reopen.ringGpadl(), reopen.targetVp(),
                    reopen.downstreamPageOffset(), reopen.userData());
            onOpen(m);
        }
    }

    // ---- modify ------------------------------------------------------------------------------

    /** MODIFY_CHANNEL: the channel's signals go to the new VP from now on (answered from 5.3). */
    void onModify(ModifyChannel m, boolean respond) {
        Offer o = offers.get(m.childRelid());
        int status = VmbusConstants.STATUS_SUCCESS;
        if (o == null || !(o.state instanceof ChannelState.Open open)) {
            errors.report("MODIFY_CHANNEL of relid " + m.childRelid() + " that is not open");
            status = VmbusConstants.STATUS_UNSUCCESSFUL;
        } else if (m.targetVp() < 0 || m.targetVp() >= config.vpCount()) {
            errors.report("MODIFY_CHANNEL of relid " + m.childRelid() + " to VP " + Integer.toUnsignedString(m.targetVp()));
            status = VmbusConstants.STATUS_UNSUCCESSFUL;
        } else {
            o.state = new ChannelState.Open(open.request().withTargetVp(m.targetVp()), open.channel());
            open.channel().setTargetVp(m.targetVp());
        }
        if (respond) {
            server.send(new ModifyChannelResponse(m.childRelid(), status));
        }
    }

    // ---- whole table -------------------------------------------------------------------------

    /** UNLOAD, host close or failure: every channel stops, every signal path goes; no message to the guest. */
    void clear(String reason) {
        gpadls.clear((relid, view) -> {
            Offer o = offers.get(relid);
            if (o != null && o.state instanceof ChannelState.Opening op) {
                orphanViews.put(op.epoch(), view);
            } else if (o != null && o.state instanceof ChannelState.Open open) {
                open.channel().closeViewOnTermination(view);
            } else if (o != null && o.state instanceof ChannelState.Closing c && c.channel() != null) {
                c.channel().closeViewOnTermination(view);
            } else {
                server.releaseView(view);
            }
        });
        for (Offer o : offers.values()) {
            switch (o.state) {
                case ChannelState.Open open -> open.channel().requestClose(reason);
                case ChannelState.Closing c when c.channel() != null -> c.channel().requestClose(reason);
                default -> {
                }
            }
            server.releaseSignal(o.relid);
        }
        offers.clear();
    }

    /** Every ring page of a channel that holds its GPADL (opening, open or closing). */
    private Set<Long> ringPagesInUse() {
        Set<Long> pages = new HashSet<>();
        for (Offer o : offers.values()) {
            VmbusServerState.Open r = request(o.state);
            if (r != null) {
                for (long gpn : gpadls.gpns(r.ringGpadl())) {
                    pages.add(gpn);
                }
            }
        }
        return pages;
    }

    static VmbusServerState.Open request(ChannelState state) {
        return switch (state) {
            case ChannelState.Offered x -> null;
            case ChannelState.Opening op -> op.request();
            case ChannelState.Open open -> open.request();
            case ChannelState.Closing c -> c.request();
        };
    }

    private long receiveBytes() {
        return offers.values().stream().mapToLong(o -> o.state.receiveBytes()).sum();
    }

    boolean known(int relid) {
        return offers.containsKey(relid);
    }

    Map<Integer, Offer> offers() {
        return offers;
    }

    /** Restore: puts an offer back as saved. */
    void restore(Offer o) {
        offers.put(o.relid, o);
        if (o.state instanceof ChannelState.Open open) {
            live.set(o.relid, open.channel());
        }
    }

    void markLive(int relid, ServerChannel channel) {
        live.set(relid, channel);
    }

    Optional<ServerChannel> channel(int relid) {
        return relid > 0 && relid < VmbusConstants.MAX_CHANNELS ? Optional.ofNullable(live.get(relid)) : Optional.empty();
    }
}
