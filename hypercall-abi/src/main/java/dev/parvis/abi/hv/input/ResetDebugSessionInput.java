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
 * HvCallResetDebugSession input: options u32 (bit 0 purge incoming, bit 1 purge outgoing), padded to
 * 8 bytes (reference section 3.1).
 */
public record ResetDebugSessionInput(int options) {
    public static final int SIZE = 8;

    public static final int OPTION_PURGE_INCOMING = 0x1;
    public static final int OPTION_PURGE_OUTGOING = 0x2;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("options"),
            pad(4));

    private static final long OPTIONS = offset(LAYOUT, "options");

    public static ResetDebugSessionInput read(MemorySegment s) {
        int options = u32(s, OPTIONS);
        return new ResetDebugSessionInput(options);
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u32(s, OPTIONS, options);
    }
}
