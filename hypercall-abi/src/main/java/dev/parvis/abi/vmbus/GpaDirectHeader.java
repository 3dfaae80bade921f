package dev.parvis.abi.vmbus;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;

/**
 * The 8 bytes after the descriptor of a DATA_USING_GPA_DIRECT packet (reference section 7.3):
 * reserved u32, range_count u32; {@link GpaRange} heads with their PFNs follow at packet offset 24.
 */
public record GpaDirectHeader(int rangeCount) {
    public static final int SIZE = 8;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("reserved"),
            U32.withName("range_count"));

    private static final long RANGE_COUNT = offset(LAYOUT, "range_count");

    public static GpaDirectHeader read(MemorySegment s) {
        return new GpaDirectHeader(u32(s, RANGE_COUNT));
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u32(s, RANGE_COUNT, rangeCount);
    }
}
