package dev.parvis.abi.hv.input;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.U8;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.pad;
import static dev.parvis.abi.layout.LittleEndian.u32;
import static dev.parvis.abi.layout.LittleEndian.u64;
import static dev.parvis.abi.layout.LittleEndian.u8;

/**
 * HvCallStartVirtualProcessor input, 240 bytes (reference section 3.2): partition id, VP index,
 * target VTL, then the VP's initial context.
 */
public record StartVirtualProcessorInput(long partitionId, int vpIndex, byte targetVtl, InitialVpContext context) {
    public static final int SIZE = 240;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U64.withName("partition_id"),
            U32.withName("vp_index"),
            U8.withName("target_vtl"),
            pad(3),
            InitialVpContext.LAYOUT.withName("vp_context"));

    private static final long PARTITION_ID = offset(LAYOUT, "partition_id");
    private static final long VP_INDEX = offset(LAYOUT, "vp_index");
    private static final long TARGET_VTL = offset(LAYOUT, "target_vtl");
    private static final long CONTEXT = offset(LAYOUT, "vp_context");

    public static StartVirtualProcessorInput read(MemorySegment s) {
        return new StartVirtualProcessorInput(u64(s, PARTITION_ID), u32(s, VP_INDEX), u8(s, TARGET_VTL),
                InitialVpContext.read(s.asSlice(CONTEXT, InitialVpContext.SIZE)));
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u64(s, PARTITION_ID, partitionId);
        u32(s, VP_INDEX, vpIndex);
        u8(s, TARGET_VTL, targetVtl);
        context.write(s.asSlice(CONTEXT, InitialVpContext.SIZE));
    }
}
