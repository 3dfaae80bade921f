package dev.parvis.abi.hv.input;

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
 * HvCallDisconnectPort input, 16 bytes; may be a fast call (reference section 3.2). Bit 0 of
 * {@code flags} says the connection is a doorbell.
 */
public record DisconnectPortInput(long connectionPartitionId, int connectionId, boolean doorbell) {
    public static final int SIZE = 16;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U64.withName("connection_partition_id"),
            U32.withName("connection_id"),
            U32.withName("flags"));

    private static final long CONNECTION_PARTITION_ID = offset(LAYOUT, "connection_partition_id");
    private static final long CONNECTION_ID = offset(LAYOUT, "connection_id");
    private static final long FLAGS = offset(LAYOUT, "flags");

    public static DisconnectPortInput read(MemorySegment s) {
        long connectionPartitionId = u64(s, CONNECTION_PARTITION_ID);
        int connectionId = u32(s, CONNECTION_ID);
        boolean doorbell = (u32(s, FLAGS) & 1) != 0;
        return new DisconnectPortInput(connectionPartitionId, connectionId, doorbell);
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u64(s, CONNECTION_PARTITION_ID, connectionPartitionId);
        u32(s, CONNECTION_ID, connectionId);
        u32(s, FLAGS, (int) (doorbell ? 1 : 0));
    }
}
