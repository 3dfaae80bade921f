package dev.parvis.abi.hv.input;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u64;

/**
 * A 128-bit register value as Get/SetVpRegisters carry it (reference section 4.5): 64-bit registers
 * use {@code low} only; segment and table registers pack their fields into both halves.
 */
public record RegisterValue(long low, long high) {
    public static final int SIZE = 16;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U64.withName("low"),
            U64.withName("high"));

    private static final long LOW = offset(LAYOUT, "low");
    private static final long HIGH = offset(LAYOUT, "high");

    public static RegisterValue read(MemorySegment s) {
        long low = u64(s, LOW);
        long high = u64(s, HIGH);
        return new RegisterValue(low, high);
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u64(s, LOW, low);
        u64(s, HIGH, high);
    }

    public static RegisterValue of(long value) {
        return new RegisterValue(value, 0);
    }
}
