package dev.parvis.abi.hv.message;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.Objects;

import static dev.parvis.abi.layout.LittleEndian.U16;
import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.U8;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u16;
import static dev.parvis.abi.layout.LittleEndian.u32;
import static dev.parvis.abi.layout.LittleEndian.u64;
import static dev.parvis.abi.layout.LittleEndian.u8;

/**
 * The 40-byte x64 intercept message header that starts every intercept payload (reference section
 * 5.2). instruction_length holds the length in bits 0-3 and CR8 in bits 4-7; access_type is an
 * {@link InterceptAccessType}; execution_state bits 0-1 are the CPL, bit 4 EFER.LMA.
 */
public record InterceptHeader(int vpIndex, byte instructionLength, byte accessType, short executionState, SegmentValue cs, long rip, long rflags) {
    public static final int SIZE = 40;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("vp_index"),
            U8.withName("instruction_length"),
            U8.withName("access_type"),
            U16.withName("execution_state"),
            SegmentValue.LAYOUT.withName("cs"),
            U64.withName("rip"),
            U64.withName("rflags"));

    private static final long VP_INDEX = offset(LAYOUT, "vp_index");
    private static final long INSTRUCTION_LENGTH = offset(LAYOUT, "instruction_length");
    private static final long ACCESS_TYPE = offset(LAYOUT, "access_type");
    private static final long EXECUTION_STATE = offset(LAYOUT, "execution_state");
    private static final long CS = offset(LAYOUT, "cs");
    private static final long RIP = offset(LAYOUT, "rip");
    private static final long RFLAGS = offset(LAYOUT, "rflags");

    public InterceptHeader {
        Objects.requireNonNull(cs, "cs");
    }

    public static InterceptHeader read(MemorySegment s) {
        int vpIndex = u32(s, VP_INDEX);
        byte instructionLength = u8(s, INSTRUCTION_LENGTH);
        byte accessType = u8(s, ACCESS_TYPE);
        short executionState = u16(s, EXECUTION_STATE);
        SegmentValue cs = SegmentValue.read(s.asSlice(CS, SegmentValue.LAYOUT.byteSize()));
        long rip = u64(s, RIP);
        long rflags = u64(s, RFLAGS);
        return new InterceptHeader(vpIndex, instructionLength, accessType, executionState, cs, rip, rflags);
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u32(s, VP_INDEX, vpIndex);
        u8(s, INSTRUCTION_LENGTH, instructionLength);
        u8(s, ACCESS_TYPE, accessType);
        u16(s, EXECUTION_STATE, executionState);
        cs.write(s.asSlice(CS, SegmentValue.LAYOUT.byteSize()));
        u64(s, RIP, rip);
        u64(s, RFLAGS, rflags);
    }

    /** Bytes the intercepted instruction occupies, so the handler can advance RIP past it. */
    public int instructionByteLength() {
        return instructionLength & 0xF;
    }
}
