package dev.parvis.abi.hv.input;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U16;
import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u16;
import static dev.parvis.abi.layout.LittleEndian.u32;

/**
 * HvCallSignalEvent input, 8 bytes (reference section 3.3); usually a fast call with the whole input
 * in RDX.
 */
public record SignalEventInput(int connectionId, short flagNumber) {
    public static final int SIZE = 8;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("connection_id"),
            U16.withName("flag_number"),
            U16.withName("reserved"));

    private static final long CONNECTION_ID = offset(LAYOUT, "connection_id");
    private static final long FLAG_NUMBER = offset(LAYOUT, "flag_number");

    public static SignalEventInput read(MemorySegment s) {
        int connectionId = u32(s, CONNECTION_ID);
        short flagNumber = u16(s, FLAG_NUMBER);
        return new SignalEventInput(connectionId, flagNumber);
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u32(s, CONNECTION_ID, connectionId);
        u16(s, FLAG_NUMBER, flagNumber);
    }

    /** Decodes the fast-call form: connection_id in bits 0-31 of RDX, flag_number in bits 32-47. */
    public static SignalEventInput fromFast(long rdx) {
        return new SignalEventInput((int) rdx, (short) (rdx >>> 32));
    }

    public long toFast() {
        return Integer.toUnsignedLong(connectionId) | (Short.toUnsignedLong(flagNumber) << 32);
    }
}
