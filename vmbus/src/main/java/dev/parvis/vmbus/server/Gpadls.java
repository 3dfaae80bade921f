package dev.parvis.vmbus.server;

import dev.parvis.abi.vmbus.ChannelMessage;
import dev.parvis.abi.vmbus.GpadlBody;
import dev.parvis.abi.vmbus.GpadlCreated;
import dev.parvis.abi.vmbus.GpadlHeader;
import dev.parvis.abi.vmbus.GpadlTorndown;
import dev.parvis.abi.vmbus.VmbusConstants;
import dev.parvis.vmcore.GrantRefusedException;
import dev.parvis.vmcore.GuestMemoryView;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * The GPADLs of one connection: assembly from GPADL_HEADER and GPADL_BODY messages, grants, use
 * by open channels, teardown. Each guest message yields the answer to send (or null) and reports
 * refusals to the error log. Bounded: at most {@code maxGpadls} handles, {@code maxPending} of
 * them being assembled, each at most 8190 PFNs (range_buflen is 16 bits). Used under the server's lock.
 */
final class Gpadls {
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int PAGE = 4096;
    private static final int RANGE_OFFSET = 20;
    private static final int HEADER_PFNS_OFFSET = RANGE_OFFSET + 8;
    private static final int BODY_PFNS_OFFSET = 16;

    private final ServerEffects effects;
    private final GuestErrorLog errors;
    private final int maxGpadls;
    private final int maxPending;
    private final Map<Integer, GpadlState> gpadls = new HashMap<>();
    private int pending;

    Gpadls(ServerEffects effects, GuestErrorLog errors, int maxGpadls, int maxPending) {
        this.effects = effects;
        this.errors = errors;
        this.maxGpadls = maxGpadls;
        this.maxPending = maxPending;
    }

    ChannelMessage onHeader(GpadlHeader header, MemorySegment message, int length, IntPredicate relidKnown) {
        int handle = header.gpadl();
        int relid = header.childRelid();
        String refusal = checkHeader(header, message, length, relidKnown);
        if (refusal != null) {
            return refuse(relid, handle, refusal);
        }
        int byteCount = message.get(U32, RANGE_OFFSET);
        int byteOffset = message.get(U32, RANGE_OFFSET + 4);
        long[] pfns = new long[pageCount(byteOffset, byteCount)];
        int carried = (length - HEADER_PFNS_OFFSET) / 8;
        for (int i = 0; i < carried; i++) {
            pfns[i] = message.get(U64, HEADER_PFNS_OFFSET + 8L * i);
        }
        return carried == pfns.length ? grant(handle, relid, byteOffset, byteCount, pfns)
                : startAssembly(handle, new GpadlState.Assembling(relid, byteOffset, byteCount, pfns, carried));
    }

    private String checkHeader(GpadlHeader header, MemorySegment message, int length, IntPredicate relidKnown) {
        if (!relidKnown.test(header.childRelid())) {
            return "names unknown relid " + header.childRelid();
        }
        if (gpadls.containsKey(header.gpadl())) {
            return "duplicate handle";
        }
        if (gpadls.size() >= maxGpadls) {
            return "connection already holds " + gpadls.size() + " GPADLs";
        }
        if ((header.rangeCount() & 0xFFFF) != 1) {
            return "range_count " + (header.rangeCount() & 0xFFFF) + " (only 1 is supported)";
        }
        if (length < HEADER_PFNS_OFFSET || (length - HEADER_PFNS_OFFSET) % 8 != 0) {
            return "message length " + length + " is not a range head plus whole PFNs";
        }
        int byteCount = message.get(U32, RANGE_OFFSET);
        int byteOffset = message.get(U32, RANGE_OFFSET + 4);
        if (byteCount <= 0 || byteOffset < 0 || byteOffset >= PAGE) {
            return "byte_count " + Integer.toUnsignedString(byteCount) + ", byte_offset "
                    + Integer.toUnsignedString(byteOffset);
        }
        int pages = pageCount(byteOffset, byteCount);
        if ((header.rangeBufferLength() & 0xFFFF) != 8 + 8L * pages) {
            return "range_buflen " + (header.rangeBufferLength() & 0xFFFF) + " does not match " + pages + " pages";
        }
        if ((length - HEADER_PFNS_OFFSET) / 8 > Math.min(pages, VmbusConstants.MAX_GPADL_HEADER_PFNS)) {
            return "carries too many PFNs";
        }
        return null;
    }

    private ChannelMessage startAssembly(int handle, GpadlState.Assembling assembling) {
        if (pending >= maxPending) {
            return refuse(assembling.relid(), handle, pending + " GPADLs already being assembled");
        }
        pending++;
        gpadls.put(handle, assembling);
        return null;
    }

    ChannelMessage onBody(GpadlBody body, MemorySegment message, int length) {
        int handle = body.gpadl();
        GpadlState state = gpadls.get(handle);
        if (state == null) {
            return refuse(0, handle, "GPADL_BODY without a GPADL_HEADER");
        }
        if (!(state instanceof GpadlState.Assembling a)) {
            return refuse(state.relid(), handle, "GPADL_BODY for a completed GPADL");
        }
        int carried = (length - BODY_PFNS_OFFSET) / 8;
        if (length < BODY_PFNS_OFFSET || (length - BODY_PFNS_OFFSET) % 8 != 0 || carried == 0
                || carried > VmbusConstants.MAX_GPADL_BODY_PFNS || a.filled() + carried > a.pfns().length) {
            abandon(handle);
            return refuse(a.relid(), handle, "GPADL_BODY of " + length + " bytes does not continue the PFN list");
        }
        for (int i = 0; i < carried; i++) {
            a.pfns()[a.filled() + i] = message.get(U64, BODY_PFNS_OFFSET + 8L * i);
        }
        int filled = a.filled() + carried;
        if (filled < a.pfns().length) {
            gpadls.put(handle, new GpadlState.Assembling(a.relid(), a.byteOffset(), a.byteCount(), a.pfns(), filled));
            return null;
        }
        abandon(handle);
        return grant(handle, a.relid(), a.byteOffset(), a.byteCount(), a.pfns());
    }

    /** A GPADL message too malformed to parse: refuse its handle and drop any assembly of it. */
    ChannelMessage onMalformed(int relid, int handle, String reason) {
        if (gpadls.get(handle) instanceof GpadlState.Assembling) {
            abandon(handle);
        }
        return refuse(relid, handle, reason);
    }

    private ChannelMessage grant(int handle, int relid, int byteOffset, int byteCount, long[] pfns) {
        GuestMemoryView view;
        try {
            view = effects.openGuestPages(pfns);
        } catch (GrantRefusedException e) {
            return refuse(relid, handle, "pages refused: " + e.getMessage());
        }
        gpadls.put(handle, new GpadlState.Created(relid, byteOffset, byteCount, pfns.clone(), view, null, false));
        return new GpadlCreated(relid, handle, VmbusConstants.STATUS_SUCCESS);
    }

    private void abandon(int handle) {
        if (gpadls.remove(handle) instanceof GpadlState.Assembling) {
            pending--;
        }
    }

    private ChannelMessage refuse(int relid, int handle, String reason) {
        errors.report("GPADL 0x" + Integer.toHexString(handle) + " refused: " + reason);
        return new GpadlCreated(relid, handle, VmbusConstants.STATUS_UNSUCCESSFUL);
    }

    ChannelMessage onTeardown(int relid, int handle) {
        GpadlState state = gpadls.get(handle);
        switch (state) {
            case null -> {
                errors.report("GPADL_TEARDOWN of unknown GPADL 0x" + Integer.toHexString(handle));
                return null;
            }
            case GpadlState.Assembling a -> {
                abandon(handle);
                return new GpadlTorndown(handle);
            }
            case GpadlState.Created c -> {
                if (c.user() != null) {
                    // After CLOSE_CHANNEL the worker may still be stopping: that teardown is normal.
                    if (c.user().isOpen()) {
                        errors.report("GPADL_TEARDOWN of GPADL 0x" + Integer.toHexString(handle)
                                + " refused while channel " + c.user().relid() + " uses it; torn down when it closes");
                    }
                    gpadls.put(handle, c.withTeardownRequested());
                    return null;
                }
                gpadls.remove(handle);
                c.view().close();
                return new GpadlTorndown(handle);
            }
        }
    }

    /** A created, unused GPADL for a channel's rings, or null. */
    GpadlState.Created available(int handle) {
        return gpadls.get(handle) instanceof GpadlState.Created c && c.user() == null && !c.teardownRequested()
                ? c : null;
    }

    void markInUse(int handle, ServerChannel channel) {
        if (gpadls.get(handle) instanceof GpadlState.Created c) {
            gpadls.put(handle, c.withUser(channel));
        }
    }

    /** {@code channel} stopped: free its GPADL; returns GPADL_TORNDOWN when a teardown was waiting for it. */
    ChannelMessage release(ServerChannel channel) {
        for (Map.Entry<Integer, GpadlState> e : gpadls.entrySet()) {
            if (e.getValue() instanceof GpadlState.Created c && c.user() == channel) {
                if (c.teardownRequested()) {
                    gpadls.remove(e.getKey());
                    c.view().close();
                    return new GpadlTorndown(e.getKey());
                }
                e.setValue(c.withUser(null));
                return null;
            }
        }
        return null;
    }

    /** UNLOAD: drop every GPADL; views under a still-running channel close when it stops. */
    void clear() {
        for (GpadlState state : gpadls.values()) {
            if (state instanceof GpadlState.Created c) {
                if (c.user() != null) {
                    c.user().closeViewOnTermination(c.view());
                } else {
                    c.view().close();
                }
            }
        }
        gpadls.clear();
        pending = 0;
    }

    /** The created GPADLs by handle, in handle order, for a snapshot; the caller checks nothing is half-done. */
    java.util.SortedMap<Integer, GpadlState> all() {
        return new java.util.TreeMap<>(gpadls);
    }

    /**
     * Restore: grants {@code gpns} again and records handle {@code handle} as created (unused).
     *
     * @throws GrantRefusedException when a page is not mapped read-write in the (new) partition
     */
    GpadlState.Created restore(int handle, int relid, int byteOffset, int byteCount, long[] gpns) {
        if (gpadls.containsKey(handle)) {
            throw new IllegalArgumentException("GPADL 0x" + Integer.toHexString(handle) + " restored twice");
        }
        if (byteCount <= 0 || byteOffset < 0 || byteOffset >= PAGE || pageCount(byteOffset, byteCount) != gpns.length) {
            throw new IllegalArgumentException("GPADL 0x" + Integer.toHexString(handle) + ": " + gpns.length
                    + " pages for byte_count " + byteCount + ", byte_offset " + byteOffset);
        }
        if (gpadls.size() >= maxGpadls) {
            throw new IllegalArgumentException("more than " + maxGpadls + " GPADLs");
        }
        GuestMemoryView view = effects.openGuestPages(gpns.clone());
        GpadlState.Created c = new GpadlState.Created(relid, byteOffset, byteCount, gpns.clone(), view, null, false);
        gpadls.put(handle, c);
        return c;
    }

    /** The pages of a created GPADL, in order (empty when there is none). */
    long[] gpns(int handle) {
        return gpadls.get(handle) instanceof GpadlState.Created c ? c.gpns() : new long[0];
    }

    int count() {
        return gpadls.size();
    }

    int pendingCount() {
        return pending;
    }

    /** PFN slots held by GPADLs being assembled. */
    long pendingPfnSlots() {
        return gpadls.values().stream().mapToLong(s -> s instanceof GpadlState.Assembling a ? a.pfns().length : 0).sum();
    }

    private static int pageCount(int byteOffset, int byteCount) {
        return (int) (((long) byteOffset + byteCount + PAGE - 1) / PAGE);
    }
}
