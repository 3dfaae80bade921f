package dev.parvis.abi.hv.input;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u64;

/**
 * HvCallDepositMemory fixed header (reference section 3.2); each rep element is the u64 GPN of a
 * caller page handed to the hypervisor's pool for the partition.
 */
public record DepositMemoryHeader(long partitionId) {
    public static final int SIZE = 8;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U64.withName("partition_id"));

    private static final long PARTITION_ID = offset(LAYOUT, "partition_id");

    public static DepositMemoryHeader read(MemorySegment s) {
        long partitionId = u64(s, PARTITION_ID);
        return new DepositMemoryHeader(partitionId);
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u64(s, PARTITION_ID, partitionId);
    }
}
