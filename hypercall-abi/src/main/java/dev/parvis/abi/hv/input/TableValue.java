package dev.parvis.abi.hv.input;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U16;
import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.pad;
import static dev.parvis.abi.layout.LittleEndian.u16;
import static dev.parvis.abi.layout.LittleEndian.u64;

/** An x64 table register (GDTR, IDTR) as an initial VP context carries it, 16 bytes: 6 bytes padding, limit, base. */
public record TableValue(short limit, long base) {
    public static final int SIZE = 16;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            pad(6),
            U16.withName("limit"),
            U64.withName("base"));

    private static final long LIMIT = offset(LAYOUT, "limit");
    private static final long BASE = offset(LAYOUT, "base");

    public static TableValue read(MemorySegment s) {
        return new TableValue(u16(s, LIMIT), u64(s, BASE));
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u16(s, LIMIT, limit);
        u64(s, BASE, base);
    }
}
