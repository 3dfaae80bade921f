package dev.parvis.abi.hv.input;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u64;

/**
 * A lone partition id: the input of HvCallInitializePartition, HvCallFinalizePartition and
 * HvCallDeletePartition, and the output of HvCallCreatePartition and HvCallGetPartitionId
 * (reference section 3.2).
 */
public record PartitionIdValue(long partitionId) {
    public static final int SIZE = 8;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U64.withName("partition_id"));

    private static final long PARTITION_ID = offset(LAYOUT, "partition_id");

    public static PartitionIdValue read(MemorySegment s) {
        long partitionId = u64(s, PARTITION_ID);
        return new PartitionIdValue(partitionId);
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u64(s, PARTITION_ID, partitionId);
    }
}
