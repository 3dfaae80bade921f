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
 * HvCallReadGpa input, 32 bytes (reference section 3.2): reads {@code byteCount} (at most 16) bytes
 * of the target partition at {@code baseGpa}; bits 0-7 of {@code controlFlags} are the cache type.
 */
public record ReadGpaInput(long partitionId, int vpIndex, int byteCount, long baseGpa, long controlFlags) {
    public static final int SIZE = 32;

    public static final int MAX_BYTES = 16;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U64.withName("partition_id"),
            U32.withName("vp_index"),
            U32.withName("byte_count"),
            U64.withName("base_gpa"),
            U64.withName("control_flags"));

    private static final long PARTITION_ID = offset(LAYOUT, "partition_id");
    private static final long VP_INDEX = offset(LAYOUT, "vp_index");
    private static final long BYTE_COUNT = offset(LAYOUT, "byte_count");
    private static final long BASE_GPA = offset(LAYOUT, "base_gpa");
    private static final long CONTROL_FLAGS = offset(LAYOUT, "control_flags");

    public static ReadGpaInput read(MemorySegment s) {
        long partitionId = u64(s, PARTITION_ID);
        int vpIndex = u32(s, VP_INDEX);
        int byteCount = u32(s, BYTE_COUNT);
        long baseGpa = u64(s, BASE_GPA);
        long controlFlags = u64(s, CONTROL_FLAGS);
        return new ReadGpaInput(partitionId, vpIndex, byteCount, baseGpa, controlFlags);
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u64(s, PARTITION_ID, partitionId);
        u32(s, VP_INDEX, vpIndex);
        u32(s, BYTE_COUNT, byteCount);
        u64(s, BASE_GPA, baseGpa);
        u64(s, CONTROL_FLAGS, controlFlags);
    }
}
