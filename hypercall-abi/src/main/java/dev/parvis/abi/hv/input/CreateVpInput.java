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
 * HvCallCreateVp input, 40 bytes (reference section 3.2).
 */
public record CreateVpInput(long partitionId, int vpIndex, byte subnodeType, long subnodeId, long proximityDomainInfo, long flags) {
    public static final int SIZE = 40;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U64.withName("partition_id"),
            U32.withName("vp_index"),
            pad(3),
            U8.withName("subnode_type"),
            U64.withName("subnode_id"),
            U64.withName("proximity_domain_info"),
            U64.withName("flags"));

    private static final long PARTITION_ID = offset(LAYOUT, "partition_id");
    private static final long VP_INDEX = offset(LAYOUT, "vp_index");
    private static final long SUBNODE_TYPE = offset(LAYOUT, "subnode_type");
    private static final long SUBNODE_ID = offset(LAYOUT, "subnode_id");
    private static final long PROXIMITY_DOMAIN_INFO = offset(LAYOUT, "proximity_domain_info");
    private static final long FLAGS = offset(LAYOUT, "flags");

    public static CreateVpInput read(MemorySegment s) {
        long partitionId = u64(s, PARTITION_ID);
        int vpIndex = u32(s, VP_INDEX);
        byte subnodeType = u8(s, SUBNODE_TYPE);
        long subnodeId = u64(s, SUBNODE_ID);
        long proximityDomainInfo = u64(s, PROXIMITY_DOMAIN_INFO);
        long flags = u64(s, FLAGS);
        return new CreateVpInput(partitionId, vpIndex, subnodeType, subnodeId, proximityDomainInfo, flags);
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u64(s, PARTITION_ID, partitionId);
        u32(s, VP_INDEX, vpIndex);
        u8(s, SUBNODE_TYPE, subnodeType);
        u64(s, SUBNODE_ID, subnodeId);
        u64(s, PROXIMITY_DOMAIN_INFO, proximityDomainInfo);
        u64(s, FLAGS, flags);
    }

    public static CreateVpInput of(long partitionId, int vpIndex) {
        return new CreateVpInput(partitionId, vpIndex, (byte) 0, 0, 0, 0);
    }
}
