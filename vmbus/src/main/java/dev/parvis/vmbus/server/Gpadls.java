package dev.parvis.vmbus.server;

import dev.parvis.abi.vmbus.ChannelMessage;
import dev.parvis.abi.vmbus.GpadlBody;
import dev.parvis.abi.vmbus.GpadlCreated;
import dev.parvis.abi.vmbus.GpadlHeader;
import dev.parvis.abi.vmbus.GpadlTorndown;
import dev.parvis.abi.vmbus.VmbusConstants;
import dev.parvis.vmcore.GuestMemoryView;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.IntPredicate;

/**
 * The GPADLs of one connection: assembly from GPADL_HEADER and GPADL_BODY messages, the grant (a
 * request that completes off the control path), use by channels, teardown. Answers and requests go
 * through {@link Sink}. Bounded: at most {@code maxGpadls} handles, {@code maxPending} of them being
 * assembled or granted, each at most 8190 PFNs (range_buflen is 16 bits). Used under the server's lock.
 */
final class Gpadls {
    /** The most pages a GPADL has: range_buflen is 16 bits, 8 for the range head and 8 per page. */
    static final int MAX_PAGES = (0xFFFF - 8) / 8;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int PAGE = 4096;
    private static final int RANGE_OFFSET = 20;
    private static final int HEADER_PFNS_OFFSET = RANGE_OFFSET + 8;
    private static final int BODY_PFNS_OFFSET = 16;

    /** What the table needs from the server: answers to the guest, grant requests, view releases. */
    interface Sink {
        void send(ChannelMessage message);

        /** Starts granting {@code gpns} for {@code handle}; returns the request's epoch. */
        long grant(int handle, long[] gpns);

        /** Closes {@code view} off the control path. */
        void release(GuestMemoryView view);

        /** Whether channel {@code relid} is open (not closing): a teardown under it is the guest's error. */
        boolean channelOpen(int relid);
    }

    private final Sink sink;
    private final GuestErrorLog errors;
    private final int maxGpadls;
    private final int maxPending;
    private final Map<Integer, GpadlState> gpadls = new HashMap<>();

    Gpadls(Sink sink, GuestErrorLog errors, int maxGpadls, int maxPending) {
        this.sink = sink;
        this.errors = errors;
        this.maxGpadls = maxGpadls;
        this.maxPending = maxPending;
    }

    void onHeader(GpadlHeader header, MemorySegment message, int length, IntPredicate relidKnown) {
        int handle = header.gpadl();
        int relid = header.childRelid();
        String refusal = checkHeader(header, message, length, relidKnown);
        if (refusal != null) {
            refuse(relid, handle, refusal);
            return;
        }
        int byteCount = message.get(U32, RANGE_OFFSET);
        int byteOffset = message.get(U32, RANGE_OFFSET + 4);
        long[] pfns = new long[pageCount(byteOffset, byteCount)];
        int carried = (length - HEADER_PFNS_OFFSET) / 8;
        for (int i = 0; i < carried; i++) {
            pfns[i] = message.get(U64, HEADER_PFNS_OFFSET + 8L * i);
        }
        GpadlState.Assembling a = new GpadlState.Assembling(relid, byteOffset, byteCount, pfns, carried);
        if (carried == pfns.length) {
            startGrant(handle, a);
        } else if (assemblingCount() >= maxPending) {
            refuse(relid, handle, assemblingCount() + " GPADLs already being assembled");
        } else {
            gpadls.put(handle, a);
        }
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

    void onBody(GpadlBody body, MemorySegment message, int length) {
        int handle = body.gpadl();
        if (!(gpadls.get(handle) instanceof GpadlState.Assembling a)) {
            strayBody(handle);
            return;
        }
        int carried = (length - BODY_PFNS_OFFSET) / 8;
        if (length < BODY_PFNS_OFFSET || (length - BODY_PFNS_OFFSET) % 8 != 0 || carried == 0
                || carried > VmbusConstants.MAX_GPADL_BODY_PFNS || a.filled() + carried > a.pfns().length) {
            gpadls.remove(handle);
            refuse(a.relid(), handle, "GPADL_BODY of " + length + " bytes does not continue the PFN list");
            return;
        }
        for (int i = 0; i < carried; i++) {
            a.pfns()[a.filled() + i] = message.get(U64, BODY_PFNS_OFFSET + 8L * i);
        }
        GpadlState.Assembling next = new GpadlState.Assembling(a.relid(), a.byteOffset(), a.byteCount(), a.pfns(),
                a.filled() + carried);
        if (next.filled() < next.pfns().length) {
            gpadls.put(handle, next);
        } else {
            startGrant(handle, next);
        }
    }

    private void startGrant(int handle, GpadlState.Assembling a) {
        long[] gpns = a.pfns().clone();
        long epoch = sink.grant(handle, gpns);
        gpadls.put(handle, new GpadlState.Granting(a.relid(), a.byteOffset(), a.byteCount(), gpns, epoch, false));
    }

    /**
     * A GPADL_BODY for a handle that is not being assembled: its header was refused (and answered),
     * its assembly ended at an earlier bad body (answered), it is complete (answered, or about to be),
     * or there never was one. Each GPADL gets one GPADL_CREATED, so the body gets none: a guest posts a
     * GPADL's header and bodies back to back, and a refused header would otherwise draw one more
     * refusal per body into the guest's queue, or a created GPADL a refusal that contradicts it.
     */
    private void strayBody(int handle) {
        String state = gpadls.containsKey(handle) ? "a completed GPADL" : "no GPADL being assembled";
        errors.report("GPADL_BODY for " + state + " (0x" + Integer.toHexString(handle) + ") ignored");
    }

    /** A GPADL_HEADER too malformed to parse: refused, and any assembly of its handle dropped. */
    void onMalformedHeader(int relid, int handle, String reason) {
        if (gpadls.get(handle) instanceof GpadlState.Assembling) {
            gpadls.remove(handle);
        }
        refuse(relid, handle, reason);
    }

    /**
     * A GPADL_BODY too malformed to parse (the server logged it): the assembly it continues ends
     * refused; without one it is ignored, as {@link #strayBody} says why.
     */
    void onMalformedBody(int handle, String reason) {
        if (gpadls.get(handle) instanceof GpadlState.Assembling a) {
            gpadls.remove(handle);
            refuse(a.relid(), handle, reason);
        }
    }

    /** The grant of {@code handle} by request {@code epoch} completed: {@code view}, or null and a reason. */
    void onGranted(int handle, long epoch, GuestMemoryView view, String refusal) {
        if (!(gpadls.get(handle) instanceof GpadlState.Granting g) || g.epoch() != epoch) {
            if (view != null) {
                sink.release(view); // unloaded or torn down meanwhile: nobody wants it
            }
            return;
        }
        if (g.teardownRequested()) {
            gpadls.remove(handle);
            if (view != null) {
                sink.release(view);
            }
            sink.send(new GpadlTorndown(handle));
            return;
        }
        if (view == null) {
            gpadls.remove(handle);
            refuse(g.relid(), handle, "pages refused: " + refusal);
            return;
        }
        gpadls.put(handle, new GpadlState.Created(g.relid(), g.byteOffset(), g.byteCount(), g.gpns(), view, 0, false));
        sink.send(new GpadlCreated(g.relid(), handle, VmbusConstants.STATUS_SUCCESS));
    }

    private void refuse(int relid, int handle, String reason) {
        errors.report("GPADL 0x" + Integer.toHexString(handle) + " refused: " + reason);
        sink.send(new GpadlCreated(relid, handle, VmbusConstants.STATUS_UNSUCCESSFUL));
    }

    void onTeardown(int handle) {
        switch (gpadls.get(handle)) {
            case null -> errors.report("GPADL_TEARDOWN of unknown GPADL 0x" + Integer.toHexString(handle));
            case GpadlState.Assembling a -> {
                gpadls.remove(handle);
                sink.send(new GpadlTorndown(handle));
            }
            case GpadlState.Granting g -> gpadls.put(handle, g.withTeardownRequested());
            case GpadlState.Created c -> {
                if (c.user() != 0) {
                    // After CLOSE_CHANNEL the channel may still be stopping: that teardown is normal.
                    if (sink.channelOpen(c.user())) {
                        errors.report("GPADL_TEARDOWN of GPADL 0x" + Integer.toHexString(handle)
                                + " refused while channel " + c.user() + " uses it; torn down when it closes");
                    }
                    gpadls.put(handle, c.withTeardownRequested());
                    return;
                }
                gpadls.remove(handle);
                sink.release(c.view());
                sink.send(new GpadlTorndown(handle));
            }
        }
    }

    /** Whether a teardown of {@code handle} waits for a channel that is still open. */
    boolean teardownWaits(int handle) {
        return gpadls.get(handle) instanceof GpadlState.Created c && c.teardownRequested();
    }

    /** A created GPADL no channel uses and no teardown waits on, or null. */
    GpadlState.Created available(int handle) {
        return gpadls.get(handle) instanceof GpadlState.Created c && c.user() == 0 && !c.teardownRequested() ? c : null;
    }

    void markInUse(int handle, int relid) {
        if (gpadls.get(handle) instanceof GpadlState.Created c) {
            gpadls.put(handle, c.withUser(relid));
        }
    }

    /** Channel {@code relid} stopped using {@code handle}: a teardown that waited for it completes now. */
    void release(int handle, int relid) {
        if (gpadls.get(handle) instanceof GpadlState.Created c && c.user() == relid) {
            if (c.teardownRequested()) {
                gpadls.remove(handle);
                sink.release(c.view());
                sink.send(new GpadlTorndown(handle));
            } else {
                gpadls.put(handle, c.withUser(0));
            }
        }
    }

    /** The view of a created GPADL, or null. */
    GuestMemoryView view(int handle) {
        return gpadls.get(handle) instanceof GpadlState.Created c ? c.view() : null;
    }

    /** UNLOAD or failure: forget every GPADL; views under a still-running channel go to {@code stillUsed}. */
    void clear(java.util.function.BiConsumer<Integer, GuestMemoryView> stillUsed) {
        for (GpadlState state : gpadls.values()) {
            if (state instanceof GpadlState.Created c) {
                if (c.user() != 0) {
                    stillUsed.accept(c.user(), c.view());
                } else {
                    sink.release(c.view());
                }
            }
        }
        gpadls.clear();
    }

    /** Every GPADL by handle, in handle order, for a snapshot. */
    SortedMap<Integer, GpadlState> all() {
        return new TreeMap<>(gpadls);
    }

    /** Restore: puts a saved state back as it was (a created GPADL with its view granted again). */
    void restore(int handle, GpadlState state) {
        if (gpadls.containsKey(handle)) {
            throw new IllegalArgumentException("GPADL 0x" + Integer.toHexString(handle) + " restored twice");
        }
        long[] pages = switch (state) {
            case GpadlState.Assembling a -> a.pfns();
            case GpadlState.Granting g -> g.gpns();
            case GpadlState.Created c -> c.gpns();
        };
        if (state.byteCount() <= 0 || state.byteOffset() < 0 || state.byteOffset() >= PAGE
                || pageCount(state.byteOffset(), state.byteCount()) != pages.length) {
            throw new IllegalArgumentException("GPADL 0x" + Integer.toHexString(handle) + ": " + pages.length
                    + " pages for byte_count " + state.byteCount() + ", byte_offset " + state.byteOffset());
        }
        if (gpadls.size() >= maxGpadls) {
            throw new IllegalArgumentException("more than " + maxGpadls + " GPADLs");
        }
        gpadls.put(handle, state);
    }

    /** Restore of a saved grant in flight: starts the grant again. */
    void regrant(int handle) {
        if (gpadls.get(handle) instanceof GpadlState.Granting g) {
            long epoch = sink.grant(handle, g.gpns());
            gpadls.put(handle, new GpadlState.Granting(g.relid(), g.byteOffset(), g.byteCount(), g.gpns(), epoch,
                    g.teardownRequested()));
        }
    }

    /** The pages of a created GPADL, in order (empty when there is none). */
    long[] gpns(int handle) {
        return gpadls.get(handle) instanceof GpadlState.Created c ? c.gpns() : new long[0];
    }

    int count() {
        return gpadls.size();
    }

    private int assemblingCount() {
        return (int) gpadls.values().stream().filter(s -> s instanceof GpadlState.Assembling).count();
    }

    /** PFN slots held by GPADLs being assembled. */
    long pendingPfnSlots() {
        return gpadls.values().stream().mapToLong(s -> s instanceof GpadlState.Assembling a ? a.pfns().length : 0).sum();
    }

    static int pageCount(int byteOffset, int byteCount) {
        return (int) (((long) byteOffset + byteCount + PAGE - 1) / PAGE);
    }
}
