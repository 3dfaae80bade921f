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
 * HvCallDeleteVp input, 16 bytes; may be a fast call (reference section 3.2).
 */
public record DeleteVpInput(long partitionId, int vpIndex) {
    public static final int SIZE = 16;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U64.withName("partition_id"),
            U32.withName("vp_index"),
            pad(4));

    private static final long PARTITION_ID = offset(LAYOUT, "partition_id");
    private static final long VP_INDEX = offset(LAYOUT, "vp_index");

    public static DeleteVpInput read(MemorySegment s) {
        long partitionId = u64(s, PARTITION_ID);
        int vpIndex = u32(s, VP_INDEX);
        return new DeleteVpInput(partitionId, vpIndex);
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u64(s, PARTITION_ID, partitionId);
        u32(s, VP_INDEX, vpIndex);
    }
}
