package dev.parvis.abi.hv.input;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.pad;
import static dev.parvis.abi.layout.LittleEndian.u32;
import static dev.parvis.abi.layout.LittleEndian.u64;

/**
 * HvCallDeletePort input, 16 bytes; may be a fast call (reference section 3.2).
 */
public record DeletePortInput(long portPartitionId, int portId) {
    public static final int SIZE = 16;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U64.withName("port_partition_id"),
            U32.withName("port_id"),
            pad(4));

    private static final long PORT_PARTITION_ID = offset(LAYOUT, "port_partition_id");
    private static final long PORT_ID = offset(LAYOUT, "port_id");

    public static DeletePortInput read(MemorySegment s) {
        long portPartitionId = u64(s, PORT_PARTITION_ID);
        int portId = u32(s, PORT_ID);
        return new DeletePortInput(portPartitionId, portId);
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u64(s, PORT_PARTITION_ID, portPartitionId);
        u32(s, PORT_ID, portId);
    }
}
