package dev.parvis.devices.storvsp.fuzz;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The fuzz test's model of a DATA_USING_GPA_DIRECT type header (hyperv-abi-vmbus.md 7.3: reserved
 * u32, range count u32, then per range byte_count u32, byte_offset u32 and one PFN u64 per page it
 * touches) under the VMBus server's limits (1-64 ranges, 8192 pages in all): the ranges in data-area
 * pages, or why the host must refuse the header. A range must start inside its first page, hold at
 * least one byte, and every PFN must be a page the guest has.
 */
final class GpaHeaderModel {
    static final int MAX_RANGES = 64;
    static final int MAX_PAGES = 8192;

    private GpaHeaderModel() {
    }

    /** The header's ranges, or the reason it is refused. */
    record Parsed(List<GuestRange> ranges, String refusal) {
        static Parsed refused(String why) {
            return new Parsed(List.of(), why);
        }
    }

    /** {@code header} as the host receives it (padded to 8 bytes); pages resolved in {@code area}. */
    static Parsed parse(byte[] header, GuestDataArea area) {
        ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        if (header.length < 8) {
            return Parsed.refused("header of " + header.length + " bytes");
        }
        int count = h.getInt(4);
        if (count < 1 || count > MAX_RANGES) {
            return Parsed.refused("range count " + Integer.toUnsignedString(count));
        }
        List<GuestRange> ranges = new ArrayList<>();
        long at = 8;
        long pagesInAll = 0;
        for (int r = 0; r < count; r++) {
            if (at + 8 > header.length) {
                return Parsed.refused("range " + r + " past the header");
            }
            int byteCount = h.getInt((int) at);
            int byteOffset = h.getInt((int) at + 4);
            if (byteCount <= 0 || byteOffset < 0 || byteOffset >= GuestDataArea.PAGE) {
                return Parsed.refused("range " + r + " byte count/offset");
            }
            long pages = ((long) byteOffset + byteCount + GuestDataArea.PAGE - 1) / GuestDataArea.PAGE;
            pagesInAll += pages;
            if (pagesInAll > MAX_PAGES || at + 8 + 8 * pages > header.length) {
                return Parsed.refused("range " + r + " PFNs past the header or the page limit");
            }
            int[] areaPages = new int[(int) pages];
            for (int p = 0; p < pages; p++) {
                areaPages[p] = area.pageOf(h.getLong((int) (at + 8 + 8L * p)));
                if (areaPages[p] < 0) {
                    return Parsed.refused("range " + r + " names a page the guest does not have");
                }
            }
            ranges.add(new GuestRange(areaPages, byteOffset, byteCount));
            at += 8 + 8 * pages;
        }
        return new Parsed(ranges, null);
    }
}
