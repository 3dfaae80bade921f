package dev.parvis.abi.hv.input;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.Arrays;
import java.util.Objects;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.bytes;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.lengthWithin;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;

/**
 * HvCallRetrieveDebugData output, one 4096-byte page: retrieved_count u32, remaining_count u32,
 * data[4088]. {@link #read} copies at most 4088 bytes.
 */
public record RetrieveDebugDataOutput(int retrievedCount, int remainingCount, byte[] data) {
    public static final int SIZE = 4096;

    public static final int MAX_DATA = 4088;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("retrieved_count"),
            U32.withName("remaining_count"),
            bytes(4088, "data"));

    private static final long RETRIEVED_COUNT = offset(LAYOUT, "retrieved_count");
    private static final long REMAINING_COUNT = offset(LAYOUT, "remaining_count");
    private static final long DATA = offset(LAYOUT, "data");

    public RetrieveDebugDataOutput {
        if (data.length > 4088) {
            throw new IllegalArgumentException("data of " + data.length + " bytes exceeds 4088");
        }
        data = data.clone();
    }

    public static RetrieveDebugDataOutput read(MemorySegment s) {
        int retrievedCount = u32(s, RETRIEVED_COUNT);
        int remainingCount = u32(s, REMAINING_COUNT);
        byte[] data = bytes(s, DATA, lengthWithin(retrievedCount, 4088));
        return new RetrieveDebugDataOutput(retrievedCount, remainingCount, data);
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u32(s, RETRIEVED_COUNT, retrievedCount);
        u32(s, REMAINING_COUNT, remainingCount);
        bytes(s, DATA, 4088, data);
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RetrieveDebugDataOutput r && retrievedCount == r.retrievedCount
                && remainingCount == r.remainingCount
                && Arrays.equals(data, r.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(retrievedCount, remainingCount, Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return "RetrieveDebugDataOutput[retrievedCount=" + retrievedCount + ", remainingCount=" + remainingCount + ", data=" + data.length + " B]";
    }
}
