package dev.parvis.vmbus.server;

import dev.parvis.abi.vmbus.OpenChannel;
import dev.parvis.vmbus.device.ChannelHandler;
import dev.parvis.vmbus.ring.RingBuffer;
import dev.parvis.vmbus.ring.RingMemory;

import java.util.Objects;

/**
 * OPEN_CHANNEL checks and ring construction (hyperv-abi-vmbus.md section 6.6): the ring GPADL's
 * pages [0, downstream offset) are the guest-to-host ring the server reads, the rest the
 * host-to-guest ring it writes; each ring needs its control page and at least one data page.
 */
final class ChannelOpening {
    static final int PAGE = 4096;

    private ChannelOpening() {
    }

    record Opened(ServerChannel channel, ChannelHandler handler) {
    }

    /** Why {@code m} cannot open {@code offer}, or null when it can. */
    static String check(OpenChannel m, Offer offer, Gpadls gpadls, int vpCount) {
        if (offer == null) {
            return "unknown relid";
        }
        if (!(offer.state instanceof ChannelState.Offered)) {
            return "channel is " + offer.state.getClass().getSimpleName();
        }
        GpadlState.Created gpadl = gpadls.available(m.ringBufferGpadlHandle());
        if (gpadl == null) {
            return "ring GPADL 0x" + Integer.toHexString(m.ringBufferGpadlHandle()) + " is not created or is in use";
        }
        if (gpadl.byteOffset() != 0 || gpadl.byteCount() % PAGE != 0) {
            return "ring GPADL does not cover whole pages";
        }
        int pages = gpadl.view().pageCount();
        int offset = m.downstreamRingBufferPageOffset();
        if (offset < 2 || offset > pages - 2) {
            return "downstream ring page offset " + Integer.toUnsignedString(offset) + " in a " + pages + "-page GPADL";
        }
        if (m.targetVp() < 0 || m.targetVp() >= vpCount) {
            return "target VP " + Integer.toUnsignedString(m.targetVp());
        }
        return null;
    }

    /** Builds the rings over the GPADL view and asks the device to open; throws if the device refuses. */
    static Opened open(VmbusServer server, ServerEffects effects, GuestErrorLog errors, Offer offer, OpenChannel m,
                       GpadlState.Created gpadl, long sendTimeoutNanos) {
        return open(server, effects, errors, offer, m.downstreamRingBufferPageOffset(), m.targetVp(), gpadl, sendTimeoutNanos);
    }

    /**
     * Builds the rings over the GPADL view as they are (their indices are read from the control
     * pages, never reset) and asks the device to open; used by OPEN_CHANNEL and by restore.
     */
    static Opened open(VmbusServer server, ServerEffects effects, GuestErrorLog errors, Offer offer, int offset,
                       int targetVp, GpadlState.Created gpadl, long sendTimeoutNanos) {
        int pages = gpadl.view().pageCount();
        RingMemory inbound = RingMemory.ofView(gpadl.view(), 0, offset);
        RingMemory outbound = RingMemory.ofView(gpadl.view(), offset, pages - offset);
        ServerChannel channel = new ServerChannel(server, effects, errors, offer.relid, offer.device.interfaceType(),
                offer.device.instance(), new RingBuffer(inbound), new RingBuffer(outbound), (int) inbound.dataSize(),
                targetVp, sendTimeoutNanos);
        ChannelHandler handler = Objects.requireNonNull(offer.device.open(channel), "device returned no handler");
        return new Opened(channel, handler);
    }
}
