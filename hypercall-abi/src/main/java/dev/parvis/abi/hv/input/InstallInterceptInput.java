package dev.parvis.abi.hv.input;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;
import static dev.parvis.abi.layout.LittleEndian.u64;

/**
 * HvCallInstallIntercept input, 24 bytes (reference section 3.2). Types and the access mask are in
 * {@code HvInterceptType}.
 */
public record InstallInterceptInput(long partitionId, int accessTypeMask, int interceptType, long parameters) {
    public static final int SIZE = 24;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U64.withName("partition_id"),
            U32.withName("access_type_mask"),
            U32.withName("intercept_type"),
            U64.withName("parameters"));

    private static final long PARTITION_ID = offset(LAYOUT, "partition_id");
    private static final long ACCESS_TYPE_MASK = offset(LAYOUT, "access_type_mask");
    private static final long INTERCEPT_TYPE = offset(LAYOUT, "intercept_type");
    private static final long PARAMETERS = offset(LAYOUT, "parameters");

    public static InstallInterceptInput read(MemorySegment s) {
        long partitionId = u64(s, PARTITION_ID);
        int accessTypeMask = u32(s, ACCESS_TYPE_MASK);
        int interceptType = u32(s, INTERCEPT_TYPE);
        long parameters = u64(s, PARAMETERS);
        return new InstallInterceptInput(partitionId, accessTypeMask, interceptType, parameters);
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u64(s, PARTITION_ID, partitionId);
        u32(s, ACCESS_TYPE_MASK, accessTypeMask);
        u32(s, INTERCEPT_TYPE, interceptType);
        u64(s, PARAMETERS, parameters);
    }
}
