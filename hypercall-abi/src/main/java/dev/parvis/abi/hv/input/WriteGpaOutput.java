package dev.parvis.abi.hv.input;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.pad;
import static dev.parvis.abi.layout.LittleEndian.u32;

/**
 * HvCallWriteGpa output: access_result (a {@link GpaAccessResult} code u32) padded to 8 bytes.
 */
public record WriteGpaOutput(int accessResult) {
    public static final int SIZE = 8;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("access_result"),
            pad(4));

    private static final long ACCESS_RESULT = offset(LAYOUT, "access_result");

    public static WriteGpaOutput read(MemorySegment s) {
        int accessResult = u32(s, ACCESS_RESULT);
        return new WriteGpaOutput(accessResult);
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u32(s, ACCESS_RESULT, accessResult);
    }
}
