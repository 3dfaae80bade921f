package dev.parvis.abi.hv.input;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.Arrays;
import java.util.Objects;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.bytes;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.pad;
import static dev.parvis.abi.layout.LittleEndian.u32;

/**
 * HvCallReadGpa output, 24 bytes: access_result (a {@link GpaAccessResult} code u32 padded to 8)
 * then 16 data bytes. {@code data16} is always read as 16 bytes; a shorter array is zero-filled on
 * write.
 */
public record ReadGpaOutput(int accessResult, byte[] data16) {
    public static final int SIZE = 24;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("access_result"),
            pad(4),
            bytes(16, "data"));

    private static final long ACCESS_RESULT = offset(LAYOUT, "access_result");
    private static final long DATA = offset(LAYOUT, "data");

    public ReadGpaOutput {
        if (data16.length > 16) {
            throw new IllegalArgumentException("data16 of " + data16.length + " bytes exceeds 16");
        }
        data16 = data16.clone();
    }

    public static ReadGpaOutput read(MemorySegment s) {
        int accessResult = u32(s, ACCESS_RESULT);
        byte[] data16 = bytes(s, DATA, 16);
        return new ReadGpaOutput(accessResult, data16);
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u32(s, ACCESS_RESULT, accessResult);
        bytes(s, DATA, 16, data16);
    }

    @Override
    public byte[] data16() {
        return data16.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReadGpaOutput r && accessResult == r.accessResult
                && Arrays.equals(data16, r.data16);
    }

    @Override
    public int hashCode() {
        return Objects.hash(accessResult, Arrays.hashCode(data16));
    }

    @Override
    public String toString() {
        return "ReadGpaOutput[accessResult=" + accessResult + ", data16=" + data16.length + " B]";
    }
}
