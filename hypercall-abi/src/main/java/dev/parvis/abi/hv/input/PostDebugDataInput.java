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
 * HvCallPostDebugData input, one 4096-byte page (reference section 3.1): count u32, options u32
 * (bit 0 LOOP), data[4088]. {@link #read} copies at most 4088 bytes whatever count says; the kernel
 * validates {@code count} itself.
 */
public record PostDebugDataInput(int count, int options, byte[] data) {
    public static final int SIZE = 4096;

    public static final int MAX_DATA = 4088;
    public static final int OPTION_LOOP = 0x1;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("count"),
            U32.withName("options"),
            bytes(4088, "data"));

    private static final long COUNT = offset(LAYOUT, "count");
    private static final long OPTIONS = offset(LAYOUT, "options");
    private static final long DATA = offset(LAYOUT, "data");

    public PostDebugDataInput {
        if (data.length > 4088) {
            throw new IllegalArgumentException("data of " + data.length + " bytes exceeds 4088");
        }
        data = data.clone();
    }

    public static PostDebugDataInput read(MemorySegment s) {
        int count = u32(s, COUNT);
        int options = u32(s, OPTIONS);
        byte[] data = bytes(s, DATA, lengthWithin(count, 4088));
        return new PostDebugDataInput(count, options, data);
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u32(s, COUNT, count);
        u32(s, OPTIONS, options);
        bytes(s, DATA, 4088, data);
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PostDebugDataInput r && count == r.count
                && options == r.options
                && Arrays.equals(data, r.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(count, options, Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return "PostDebugDataInput[count=" + count + ", options=" + options + ", data=" + data.length + " B]";
    }

    public static PostDebugDataInput of(byte[] data) {
        return new PostDebugDataInput(data.length, 0, data);
    }
}
