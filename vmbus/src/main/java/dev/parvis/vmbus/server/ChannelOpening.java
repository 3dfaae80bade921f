package dev.parvis.vmbus.server;

import dev.parvis.abi.vmbus.OpenChannel;
import dev.parvis.vmbus.ring.RingBuffer;
import dev.parvis.vmbus.ring.RingMemory;
import dev.parvis.vmcore.GuestMemoryView;

import java.util.HashSet;
import java.util.Set;

/**
 * OPEN_CHANNEL checks and ring construction (hyperv-abi-vmbus.md section 6.6): the ring GPADL's
 * pages [0, downstream offset) are the guest-to-host ring the server reads, the rest the
 * host-to-guest ring it writes; each ring needs its control page and at least one data page.
 *
 * <p>Ring pages must be distinct: no page twice in the ring GPADL (so the two rings are disjoint and
 * no control page doubles as data), and no page that is already a ring page of another open channel
 * of the child. Otherwise the host's own writes would appear as guest input: an echo into an aliased
 * ring feeds itself forever. A GPADL as such may still list a page twice (the protocol does not
 * forbid it, OpenVMM accepts it, and a buffer that aliases only confuses its own guest); only its use
 * as a ring is refused.
 */
final class ChannelOpening {
    static final int PAGE = 4096;

    private ChannelOpening() {
    }

    /**
     * Why {@code m} cannot open {@code offer}, or null when it can.
     *
     * @param ringPagesInUse the ring pages of the child's other open channels
     */
    static String check(OpenChannel m, Offer offer, Gpadls gpadls, int vpCount, Set<Long> ringPagesInUse) {
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
        String target = checkTarget(m, vpCount);
        return target != null ? target : aliasing(gpadl.gpns(), offset, ringPagesInUse);
    }

    /**
     * Why {@code m} can never open, whatever GPADL it names: a target VP the child does not have, or a
     * ring offset no GPADL allows (one has at most {@link Gpadls#MAX_PAGES} pages); null when it may.
     */
    static String checkTarget(OpenChannel m, int vpCount) {
        int offset = m.downstreamRingBufferPageOffset();
        if (offset < 2 || offset > Gpadls.MAX_PAGES - 2) {
            return "downstream ring page offset " + Integer.toUnsignedString(offset);
        }
        if (m.targetVp() < 0 || m.targetVp() >= vpCount) {
            return "target VP " + Integer.toUnsignedString(m.targetVp());
        }
        return null;
    }

    /** Why the ring pages {@code gpns} alias each other or another channel's rings, or null. */
    static String aliasing(long[] gpns, int offset, Set<Long> ringPagesInUse) {
        Set<Long> seen = new HashSet<>(gpns.length * 2);
        for (int i = 0; i < gpns.length; i++) {
            long gpn = gpns[i];
            if (!seen.add(gpn)) {
                int first = indexOf(gpns, gpn);
                boolean crosses = first < offset && i >= offset;
                return "ring pages alias: GPN 0x%x is page %d and page %d of the ring GPADL%s".formatted(gpn, first, i,
                        crosses ? " (the in and out rings overlap)" : "");
            }
            if (ringPagesInUse.contains(gpn)) {
                return "ring pages alias: GPN 0x%x is already a ring page of another open channel".formatted(gpn);
            }
        }
        return null;
    }

    private static int indexOf(long[] gpns, long gpn) {
        for (int i = 0; i < gpns.length; i++) {
            if (gpns[i] == gpn) {
                return i;
            }
        }
        return -1;
    }

    /** The receive buffer a channel of {@code offer} gets: the device's maximum, or the inbound ring's if smaller. */
    static int receiveBufferBytes(Offer offer, int offset) {
        long inboundData = (long) (offset - 1) * PAGE;
        return (int) Math.max(0, Math.min(inboundData, Math.max(PAGE, offer.device.maxPacketBytes())));
    }

    /**
     * Builds the channel's rings over the ring GPADL's view as they are (their indices are read from
     * the control pages, never reset); used by open requests and by restore. The channel does not
     * run until the server starts it.
     */
    static ServerChannel build(VmbusServer server, ServerEffects effects, GuestErrorLog errors, ServerConfig config,
                               Offer offer, GuestMemoryView view, VmbusServerState.Open request) {
        int pages = view.pageCount();
        int offset = request.downstreamPageOffset();
        RingMemory inbound = RingMemory.ofView(view, 0, offset);
        RingMemory outbound = RingMemory.ofView(view, offset, pages - offset);
        return new ServerChannel(server, effects, errors, config, offer.relid, offer.device.interfaceType(),
                offer.device.instance(), new RingBuffer(inbound), new RingBuffer(outbound), request.receiveBytes(),
                request.targetVp());
    }
}
