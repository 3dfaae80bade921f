package dev.parvis.abi.hv.input;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.U8;
import static dev.parvis.abi.layout.LittleEndian.bytes;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;
import static dev.parvis.abi.layout.LittleEndian.u64;
import static dev.parvis.abi.layout.LittleEndian.u8;

/**
 * The 16-byte fixed header of HvCallGetVpRegisters and HvCallSetVpRegisters (reference section 3.1).
 * Get elements are u32 register names, Set elements are {@link RegisterAssoc}.
 */
public record VpRegistersHeader(long partitionId, int vpIndex, byte inputVtl) {
    public static final int SIZE = 16;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U64.withName("partition_id"),
            U32.withName("vp_index"),
            U8.withName("input_vtl"),
            bytes(3, "reserved"));

    private static final long PARTITION_ID = offset(LAYOUT, "partition_id");
    private static final long VP_INDEX = offset(LAYOUT, "vp_index");
    private static final long INPUT_VTL = offset(LAYOUT, "input_vtl");

    public static VpRegistersHeader read(MemorySegment s) {
        long partitionId = u64(s, PARTITION_ID);
        int vpIndex = u32(s, VP_INDEX);
        byte inputVtl = u8(s, INPUT_VTL);
        return new VpRegistersHeader(partitionId, vpIndex, inputVtl);
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u64(s, PARTITION_ID, partitionId);
        u32(s, VP_INDEX, vpIndex);
        u8(s, INPUT_VTL, inputVtl);
    }
}
