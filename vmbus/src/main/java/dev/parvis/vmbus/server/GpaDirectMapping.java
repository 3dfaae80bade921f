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
import java.util.ArrayList;
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

    private record Range(int byteCount, int byteOffset, int firstPage, int pageCount) {
    }

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
        List<Range> ranges = new ArrayList<>(rangeCount);
        long[] gpns = new long[Math.min(MAX_PAGES, (int) Math.max(0, (size - 16) / 8))];
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
            ranges.add(new Range(byteCount, byteOffset, pageTotal, (int) pages));
            for (int p = 0; p < pages; p++) {
                gpns[pageTotal++] = header.get(U64, at + 8 + 8L * p);
            }
            at += 8 + pages * 8;
        }
        MemorySegment[] pages;
        try {
            pages = effects.guestRam().resolve(gpns, 0, pageTotal);
        } catch (GrantRefusedException e) {
            throw new GpaDirectRefusedException("GPA-direct pages refused: " + e.getMessage(), e);
        }
        List<GpaDirectRange> resolved = new ArrayList<>(rangeCount);
        for (Range r : ranges) {
            resolved.add(new GpaDirectRange(r.byteCount(), pieces(pages, r, writable)));
        }
        List<GpaDirectRange> result = List.copyOf(resolved);
        return new GpaDirectBuffers() {
            @Override
            public List<GpaDirectRange> ranges() {
                return result;
            }

            @Override
            public void close() {
                // nothing per request: the pages live in the window's epoch (GuestRamWindow)
            }
        };
    }

    /**
     * The byte spans of one range; pages that follow each other in host memory form one span (the
     * window's segment for a page extends over its host-contiguous successors), so a device moves a
     * contiguous buffer with one copy or one file call.
     */
    private static List<MemorySegment> pieces(MemorySegment[] pages, Range r, boolean writable) {
        List<MemorySegment> pieces = new ArrayList<>();
        long remaining = r.byteCount();
        long offset = r.byteOffset();
        int p = 0;
        while (remaining > 0) {
            MemorySegment run = pages[r.firstPage() + p];
            long runPages = Math.min(run.byteSize() / PAGE, r.pageCount() - p);
            long length = Math.min(runPages * PAGE - offset, remaining);
            MemorySegment piece = run.asSlice(offset, length);
            pieces.add(writable ? piece : piece.asReadOnly());
            remaining -= length;
            p += (int) runPages;
            offset = 0;
        }
        return pieces;
    }
}
