package dev.parvis.abi.ic;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;
import static dev.parvis.abi.layout.LittleEndian.u64;

/**
 * HEARTBEAT body (reference section 9.4): the guest answers with {@code sequenceNumber + 1};
 * {@code applicationState} 1 = healthy ({@code IcConstants.HEARTBEAT_STATE_HEALTHY}).
 */
public record HeartbeatMessage(long sequenceNumber, int applicationState) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U64.withName("sequence_number"),
            U32.withName("application_state"),
            MemoryLayout.sequenceLayout(7, U32).withName("reserved"));
    public static final int SIZE = (int) LAYOUT.byteSize();

    private static final long SEQUENCE_NUMBER = offset(LAYOUT, "sequence_number");
    private static final long APPLICATION_STATE = offset(LAYOUT, "application_state");

    public static HeartbeatMessage read(MemorySegment s) {
        return new HeartbeatMessage(u64(s, SEQUENCE_NUMBER), u32(s, APPLICATION_STATE));
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u64(s, SEQUENCE_NUMBER, sequenceNumber);
        u32(s, APPLICATION_STATE, applicationState);
    }
}
