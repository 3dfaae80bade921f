package dev.parvis.abi.hv.input;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u64;

/**
 * The 8-byte output of HvCallGetPartitionProperty.
 */
public record PartitionPropertyValue(long value) {
    public static final int SIZE = 8;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U64.withName("value"));

    private static final long VALUE = offset(LAYOUT, "value");

    public static PartitionPropertyValue read(MemorySegment s) {
        long value = u64(s, VALUE);
        return new PartitionPropertyValue(value);
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u64(s, VALUE, value);
    }
}
