package dev.parvis.vmbus.server;

import dev.parvis.abi.vmbus.PacketType;
import dev.parvis.vmbus.device.GpaDirectBuffers;
import dev.parvis.vmbus.device.GpaDirectRange;
import dev.parvis.vmbus.device.GpaDirectRefusedException;
import dev.parvis.vmbus.ring.IncomingPacket;
import dev.parvis.vmcore.GrantRefusedException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Resolves the range list of a DATA_USING_GPA_DIRECT packet (hyperv-abi-vmbus.md section 7.3:
 * reserved u32, range_cnt u32, then {byte_count u32, byte_offset u32, pfn u64[]} per range, all in
 * the packet's type-specific header) to host memory through the child's RAM window (no grant, no
 * arena per packet). Every count,
 * offset and length is checked against the header bytes actually received.
 */
final class GpaDirectMapping {
    static final int MAX_RANGES = 64;
    static final int MAX_PAGES = 8192;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int PAGE = 4096;

    private GpaDirectMapping() {
    }

    /**
     * Where a range's fields sit in the int array {@link #map} parses the header into (four ints per
     * range: a request's mapping is on every I/O's path, so no object per range until the result).
     */
    private static final int BYTE_COUNT = 0;
    private static final int BYTE_OFFSET = 1;
    private static final int FIRST_PAGE = 2;
    private static final int PAGE_COUNT = 3;
    private static final int RANGE_INTS = 4;

    static GpaDirectBuffers map(ServerEffects effects, IncomingPacket packet, boolean writable)
            throws GpaDirectRefusedException {
        if (!packet.type().equals(PacketType.DATA_USING_GPA_DIRECT)) {
            throw new GpaDirectRefusedException("packet type " + packet.type() + " carries no GPA ranges");
        }
        MemorySegment header = packet.typeHeader();
        long size = header.byteSize();
        if (size < 8) {
            throw new GpaDirectRefusedException("GPA-direct header of " + size + " bytes");
        }
        int rangeCount = header.get(U32, 4);
        if (rangeCount < 1 || rangeCount > MAX_RANGES) {
            throw new GpaDirectRefusedException("range count " + Integer.toUnsignedString(rangeCount));
        }
        int[] ranges = new int[rangeCount * RANGE_INTS];
        long[] gpns = new long[Math.min(MAX_PAGES, (int) Math.max(0, (size - 16) / 8))];
        int pageTotal = parse(header, rangeCount, ranges, gpns);
        MemorySegment[] pages;
        try {
            pages = effects.guestRam().resolve(gpns, 0, pageTotal);
        } catch (GrantRefusedException e) {
            throw new GpaDirectRefusedException("GPA-direct pages refused: " + e.getMessage(), e);
        }
        GpaDirectRange[] resolved = new GpaDirectRange[rangeCount];
        for (int i = 0; i < rangeCount; i++) {
            resolved[i] = new GpaDirectRange(ranges[i * RANGE_INTS + BYTE_COUNT], pieces(pages, ranges, i, writable));
        }
        return new Mapped(List.of(resolved));
    }

    /**
     * Reads and checks every range of the header into {@code ranges} and its PFNs into {@code gpns};
     * returns the number of pages.
     */
    private static int parse(MemorySegment header, int rangeCount, int[] ranges, long[] gpns)
            throws GpaDirectRefusedException {
        long size = header.byteSize();
        int pageTotal = 0;
        long at = 8;
        for (int i = 0; i < rangeCount; i++) {
            if (at + 8 > size) {
                throw new GpaDirectRefusedException("range " + i + " runs past the header");
            }
            int byteCount = header.get(U32, at);
            int byteOffset = header.get(U32, at + 4);
            if (byteCount <= 0 || byteOffset < 0 || byteOffset >= PAGE) {
                throw new GpaDirectRefusedException("range " + i + ": byte_count " + Integer.toUnsignedString(byteCount)
                        + ", byte_offset " + Integer.toUnsignedString(byteOffset));
            }
            long pages = ((long) byteOffset + byteCount + PAGE - 1) / PAGE;
            if (pageTotal + pages > MAX_PAGES || at + 8 + pages * 8 > size) {
                throw new GpaDirectRefusedException("range " + i + " needs " + pages + " PFNs beyond the header or limit");
            }
            int r = i * RANGE_INTS;
            ranges[r + BYTE_COUNT] = byteCount;
            ranges[r + BYTE_OFFSET] = byteOffset;
            ranges[r + FIRST_PAGE] = pageTotal;
            ranges[r + PAGE_COUNT] = (int) pages;
            MemorySegment.copy(header, U64, at + 8, gpns, pageTotal, (int) pages);
            pageTotal += (int) pages;
            at += 8 + pages * 8;
        }
        return pageTotal;
    }

    /** A request's buffers: nothing to give back per request (the pages live in the window's epoch, GuestRamWindow). */
    private record Mapped(List<GpaDirectRange> ranges) implements GpaDirectBuffers {
        @Override
        public void close() {
        }
    }

    /**
     * The byte spans of one range; pages that follow each other in host memory form one span (the
     * window's segment for a page extends over its host-contiguous successors), so a device moves a
     * contiguous buffer with one copy or one file call.
     */
    private static List<MemorySegment> pieces(MemorySegment[] pages, int[] ranges, int range, boolean writable) {
        int r = range * RANGE_INTS;
        int firstPage = ranges[r + FIRST_PAGE];
        int pageCount = ranges[r + PAGE_COUNT];
        long remaining = ranges[r + BYTE_COUNT];
        long offset = ranges[r + BYTE_OFFSET];
        MemorySegment[] pieces = new MemorySegment[pageCount];
        int count = 0;
        int p = 0;
        while (remaining > 0) {
            MemorySegment run = pages[firstPage + p];
            long runPages = Math.min(run.byteSize() / PAGE, pageCount - p);
            long length = Math.min(runPages * PAGE - offset, remaining);
            MemorySegment piece = run.asSlice(offset, length);
            pieces[count++] = writable ? piece : piece.asReadOnly();
            remaining -= length;
            p += (int) runPages;
            offset = 0;
        }
        return count == pieces.length ? List.of(pieces) : List.of(java.util.Arrays.copyOf(pieces, count));
    }
}
