package dev.parvis.abi.hv.input;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.pad;
import static dev.parvis.abi.layout.LittleEndian.u32;

/**
 * HvCallPostDebugData output: pending_count u32 padded to 8 bytes, keeping the 8-byte output
 * granularity of slow calls.
 */
public record PostDebugDataOutput(int pendingCount) {
    public static final int SIZE = 8;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("pending_count"),
            pad(4));

    private static final long PENDING_COUNT = offset(LAYOUT, "pending_count");

    public static PostDebugDataOutput read(MemorySegment s) {
        int pendingCount = u32(s, PENDING_COUNT);
        return new PostDebugDataOutput(pendingCount);
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u32(s, PENDING_COUNT, pendingCount);
    }
}
