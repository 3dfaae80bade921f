package dev.parvis.abi.hv.message;

import dev.parvis.abi.hv.input.RegisterValue;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U16;
import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u16;
import static dev.parvis.abi.layout.LittleEndian.u32;
import static dev.parvis.abi.layout.LittleEndian.u64;

/**
 * An x64 segment register as hypercalls and intercept messages carry it, 16 bytes (reference
 * section 4.5): base, limit, selector, attributes (bits 0-3 type, 4 S, 5-6 DPL, 7 P, 12 AVL, 13 L,
 * 14 D/B, 15 G).
 */
public record SegmentValue(long base, int limit, short selector, short attributes) {
    public static final int SIZE = 16;

    /** A flat 64-bit code segment: base 0, limit 4 GiB, present, DPL 0, L=1, G=1. */
    public static final SegmentValue FLAT_CODE64 = new SegmentValue(0, 0xFFFF_FFFF, (short) 0x08, (short) 0xA09B);

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U64.withName("base"),
            U32.withName("limit"),
            U16.withName("selector"),
            U16.withName("attributes"));

    private static final long BASE = offset(LAYOUT, "base");
    private static final long LIMIT = offset(LAYOUT, "limit");
    private static final long SELECTOR = offset(LAYOUT, "selector");
    private static final long ATTRIBUTES = offset(LAYOUT, "attributes");

    public static SegmentValue read(MemorySegment s) {
        long base = u64(s, BASE);
        int limit = u32(s, LIMIT);
        short selector = u16(s, SELECTOR);
        short attributes = u16(s, ATTRIBUTES);
        return new SegmentValue(base, limit, selector, attributes);
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u64(s, BASE, base);
        u32(s, LIMIT, limit);
        u16(s, SELECTOR, selector);
        u16(s, ATTRIBUTES, attributes);
    }

    /** Unpacks the 128-bit register value of Get/SetVpRegisters. */
    public static SegmentValue of(RegisterValue v) {
        return new SegmentValue(v.low(), (int) v.high(), (short) (v.high() >>> 32), (short) (v.high() >>> 48));
    }

    public RegisterValue toRegisterValue() {
        long high = Integer.toUnsignedLong(limit) | (Short.toUnsignedLong(selector) << 32)
                | (Short.toUnsignedLong(attributes) << 48);
        return new RegisterValue(base, high);
    }
}
