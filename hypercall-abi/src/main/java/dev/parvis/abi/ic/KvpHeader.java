package dev.parvis.abi.ic;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U16;
import static dev.parvis.abi.layout.LittleEndian.U8;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u16;
import static dev.parvis.abi.layout.LittleEndian.u8;

/** The 4 bytes before every KVP body (reference section 9.7): {@code IcConstants.KVP_OP_*} and {@code KVP_POOL_*}. */
public record KvpHeader(byte operation, byte pool) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U8.withName("operation"),
            U8.withName("pool"),
            U16.withName("reserved"));
    public static final int SIZE = (int) LAYOUT.byteSize();

    private static final long OPERATION = offset(LAYOUT, "operation");
    private static final long POOL = offset(LAYOUT, "pool");
    private static final long RESERVED = offset(LAYOUT, "reserved");

    public static KvpHeader read(MemorySegment s) {
        return new KvpHeader(u8(s, OPERATION), u8(s, POOL));
    }

    public void write(MemorySegment s) {
        u8(s, OPERATION, operation);
        u8(s, POOL, pool);
        u16(s, RESERVED, (short) 0);
    }
}
