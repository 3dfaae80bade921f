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
 * HvCallUnmapGpaPages fixed header, 24 bytes (reference section 3.2); a rep call without element
 * data, the rep count is the number of pages from {@code targetGpaBase} (a GPN).
 */
public record UnmapGpaPagesHeader(long targetPartitionId, long targetGpaBase, int unmapFlags) {
    public static final int SIZE = 24;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U64.withName("target_partition_id"),
            U64.withName("target_gpa_base"),
            U32.withName("unmap_flags"),
            pad(4));

    private static final long TARGET_PARTITION_ID = offset(LAYOUT, "target_partition_id");
    private static final long TARGET_GPA_BASE = offset(LAYOUT, "target_gpa_base");
    private static final long UNMAP_FLAGS = offset(LAYOUT, "unmap_flags");

    public static UnmapGpaPagesHeader read(MemorySegment s) {
        long targetPartitionId = u64(s, TARGET_PARTITION_ID);
        long targetGpaBase = u64(s, TARGET_GPA_BASE);
        int unmapFlags = u32(s, UNMAP_FLAGS);
        return new UnmapGpaPagesHeader(targetPartitionId, targetGpaBase, unmapFlags);
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u64(s, TARGET_PARTITION_ID, targetPartitionId);
        u64(s, TARGET_GPA_BASE, targetGpaBase);
        u32(s, UNMAP_FLAGS, unmapFlags);
    }
}
