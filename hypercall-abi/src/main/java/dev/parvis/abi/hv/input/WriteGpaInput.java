package dev.parvis.abi.hv.input;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.Arrays;
import java.util.Objects;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.bytes;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;
import static dev.parvis.abi.layout.LittleEndian.u64;

/**
 * HvCallWriteGpa input, 48 bytes: the {@link ReadGpaInput} header then data[16] at offset 32
 * (reference section 3.2).
 */
public record WriteGpaInput(long partitionId, int vpIndex, int byteCount, long baseGpa, long controlFlags, byte[] data16) {
    public static final int SIZE = 48;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U64.withName("partition_id"),
            U32.withName("vp_index"),
            U32.withName("byte_count"),
            U64.withName("base_gpa"),
            U64.withName("control_flags"),
            bytes(16, "data"));

    private static final long PARTITION_ID = offset(LAYOUT, "partition_id");
    private static final long VP_INDEX = offset(LAYOUT, "vp_index");
    private static final long BYTE_COUNT = offset(LAYOUT, "byte_count");
    private static final long BASE_GPA = offset(LAYOUT, "base_gpa");
    private static final long CONTROL_FLAGS = offset(LAYOUT, "control_flags");
    private static final long DATA = offset(LAYOUT, "data");

    public WriteGpaInput {
        if (data16.length > 16) {
            throw new IllegalArgumentException("data16 of " + data16.length + " bytes exceeds 16");
        }
        data16 = data16.clone();
    }

    public static WriteGpaInput read(MemorySegment s) {
        long partitionId = u64(s, PARTITION_ID);
        int vpIndex = u32(s, VP_INDEX);
        int byteCount = u32(s, BYTE_COUNT);
        long baseGpa = u64(s, BASE_GPA);
        long controlFlags = u64(s, CONTROL_FLAGS);
        byte[] data16 = bytes(s, DATA, 16);
        return new WriteGpaInput(partitionId, vpIndex, byteCount, baseGpa, controlFlags, data16);
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u64(s, PARTITION_ID, partitionId);
        u32(s, VP_INDEX, vpIndex);
        u32(s, BYTE_COUNT, byteCount);
        u64(s, BASE_GPA, baseGpa);
        u64(s, CONTROL_FLAGS, controlFlags);
        bytes(s, DATA, 16, data16);
    }

    @Override
    public byte[] data16() {
        return data16.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WriteGpaInput r && partitionId == r.partitionId
                && vpIndex == r.vpIndex
                && byteCount == r.byteCount
                && baseGpa == r.baseGpa
                && controlFlags == r.controlFlags
                && Arrays.equals(data16, r.data16);
    }

    @Override
    public int hashCode() {
        return Objects.hash(partitionId, vpIndex, byteCount, baseGpa, controlFlags, Arrays.hashCode(data16));
    }

    @Override
    public String toString() {
        return "WriteGpaInput[partitionId=" + partitionId + ", vpIndex=" + vpIndex + ", byteCount=" + byteCount + ", baseGpa=" + baseGpa + ", controlFlags=" + controlFlags + ", data16=" + data16.length + " B]";
    }
}
