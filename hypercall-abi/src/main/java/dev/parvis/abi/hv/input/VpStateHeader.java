package dev.parvis.abi.hv.input;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U16;
import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.U8;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u16;
import static dev.parvis.abi.layout.LittleEndian.u32;
import static dev.parvis.abi.layout.LittleEndian.u64;
import static dev.parvis.abi.layout.LittleEndian.u8;

/**
 * The 40-byte fixed header of HvCallGetVpState and HvCallSetVpState (reference section 3, call codes
 * 0x00E3/0x00E4): which VP, and the state type. For the page-sized types ({@link #TYPE_SIM_PAGE},
 * {@link #TYPE_SIEF_PAGE}; bit 31 set = data passed by PFN list) the variable header holds the PFN list:
 * the caller's own pages the hypervisor copies the state into (Get) or from (Set).
 */
public record VpStateHeader(long partitionId, int vpIndex, byte inputVtl, int type, long xsaveFlags, long xsaveStates) {
    public static final int SIZE = 40;

    /** Bit 31 of the type: the data travels through the PFN list in the variable header. */
    public static final int TYPE_BY_PFN = 0x8000_0000;
    /** The synthetic interrupt message page of the VP (its 16 message slots). */
    public static final int TYPE_SIM_PAGE = TYPE_BY_PFN | 2;
    /** The synthetic interrupt event flags page of the VP. */
    public static final int TYPE_SIEF_PAGE = TYPE_BY_PFN | 3;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U64.withName("partition_id"),
            U32.withName("vp_index"),
            U8.withName("input_vtl"),
            U8.withName("reserved0"),
            U16.withName("reserved1"),
            U32.withName("type"),
            U32.withName("reserved2"),
            U64.withName("xsave_flags"),
            U64.withName("xsave_states"));

    private static final long PARTITION_ID = offset(LAYOUT, "partition_id");
    private static final long VP_INDEX = offset(LAYOUT, "vp_index");
    private static final long INPUT_VTL = offset(LAYOUT, "input_vtl");
    private static final long RESERVED0 = offset(LAYOUT, "reserved0");
    private static final long RESERVED1 = offset(LAYOUT, "reserved1");
    private static final long TYPE = offset(LAYOUT, "type");
    private static final long RESERVED2 = offset(LAYOUT, "reserved2");
    private static final long XSAVE_FLAGS = offset(LAYOUT, "xsave_flags");
    private static final long XSAVE_STATES = offset(LAYOUT, "xsave_states");

    public static VpStateHeader read(MemorySegment s) {
        return new VpStateHeader(u64(s, PARTITION_ID), u32(s, VP_INDEX), u8(s, INPUT_VTL), u32(s, TYPE), u64(s, XSAVE_FLAGS),
                u64(s, XSAVE_STATES));
    }

    /** True when a reserved field is non-zero. */
    public static boolean reservedBitsSet(MemorySegment s) {
        return u8(s, RESERVED0) != 0 || u16(s, RESERVED1) != 0 || u32(s, RESERVED2) != 0;
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u64(s, PARTITION_ID, partitionId);
        u32(s, VP_INDEX, vpIndex);
        u8(s, INPUT_VTL, inputVtl);
        u32(s, TYPE, type);
        u64(s, XSAVE_FLAGS, xsaveFlags);
        u64(s, XSAVE_STATES, xsaveStates);
    }
}
