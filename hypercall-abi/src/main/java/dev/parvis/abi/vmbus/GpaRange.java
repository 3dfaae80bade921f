package dev.parvis.abi.vmbus;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;

/**
 * The 8-byte head of a gpa_range (reference sections 6.4 and 7.3): byte_count, byte_offset into
 * the first page; followed on the wire by {@link #pageCount()} u64 PFNs.
 */
public record GpaRange(int byteCount, int byteOffset) {
    public static final int SIZE = 8;
    public static final int PAGE_SIZE = 4096;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("byte_count"),
            U32.withName("byte_offset"));

    private static final long BYTE_COUNT = offset(LAYOUT, "byte_count");
    private static final long BYTE_OFFSET = offset(LAYOUT, "byte_offset");

    /** ceil((byte_offset + byte_count) / 4096), both unsigned; never overflows. */
    public long pageCount() {
        long end = Integer.toUnsignedLong(byteOffset) + Integer.toUnsignedLong(byteCount);
        return (end + PAGE_SIZE - 1) / PAGE_SIZE;
    }

    /** Bytes of this range on the wire: the head plus its PFNs. */
    public long wireSize() {
        return SIZE + 8 * pageCount();
    }

    public static GpaRange read(MemorySegment s) {
        return new GpaRange(u32(s, BYTE_COUNT), u32(s, BYTE_OFFSET));
    }

    public void write(MemorySegment s) {
        u32(s, BYTE_COUNT, byteCount);
        u32(s, BYTE_OFFSET, byteOffset);
    }
}
