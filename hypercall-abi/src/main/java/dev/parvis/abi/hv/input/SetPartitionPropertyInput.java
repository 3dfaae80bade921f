package dev.parvis.abi.hv.input;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.pad;
import static dev.parvis.abi.layout.LittleEndian.u32;
import static dev.parvis.abi.layout.LittleEndian.u64;

/**
 * HvCallSetPartitionProperty input, 24 bytes (reference section 3.2).
 */
public record SetPartitionPropertyInput(long partitionId, int propertyCode, long value) {
    public static final int SIZE = 24;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U64.withName("partition_id"),
            U32.withName("property_code"),
            pad(4),
            U64.withName("value"));

    private static final long PARTITION_ID = offset(LAYOUT, "partition_id");
    private static final long PROPERTY_CODE = offset(LAYOUT, "property_code");
    private static final long VALUE = offset(LAYOUT, "value");

    public static SetPartitionPropertyInput read(MemorySegment s) {
        long partitionId = u64(s, PARTITION_ID);
        int propertyCode = u32(s, PROPERTY_CODE);
        long value = u64(s, VALUE);
        return new SetPartitionPropertyInput(partitionId, propertyCode, value);
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u64(s, PARTITION_ID, partitionId);
        u32(s, PROPERTY_CODE, propertyCode);
        u64(s, VALUE, value);
    }
}
