package dev.parvis.abi.hv.input;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u64;

/**
 * HvCallWithdrawMemory fixed header (reference section 3.2); each rep output element is the u64 GPN
 * of a page given back.
 */
public record WithdrawMemoryHeader(long partitionId, long proximityDomainInfo) {
    public static final int SIZE = 16;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U64.withName("partition_id"),
            U64.withName("proximity_domain_info"));

    private static final long PARTITION_ID = offset(LAYOUT, "partition_id");
    private static final long PROXIMITY_DOMAIN_INFO = offset(LAYOUT, "proximity_domain_info");

    public static WithdrawMemoryHeader read(MemorySegment s) {
        long partitionId = u64(s, PARTITION_ID);
        long proximityDomainInfo = u64(s, PROXIMITY_DOMAIN_INFO);
        return new WithdrawMemoryHeader(partitionId, proximityDomainInfo);
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u64(s, PARTITION_ID, partitionId);
        u64(s, PROXIMITY_DOMAIN_INFO, proximityDomainInfo);
    }
}
