package dev.parvis.abi.vmbus;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;

/** One range of a transfer-page packet: byte_count, byte_offset into the page set (reference section 7.3). */
public record TransferPageRange(int byteCount, int byteOffset) {
    public static final int SIZE = 8;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("byte_count"),
            U32.withName("byte_offset"));

    private static final long BYTE_COUNT = offset(LAYOUT, "byte_count");
    private static final long BYTE_OFFSET = offset(LAYOUT, "byte_offset");

    public static TransferPageRange read(MemorySegment s) {
        return new TransferPageRange(u32(s, BYTE_COUNT), u32(s, BYTE_OFFSET));
    }

    public void write(MemorySegment s) {
        u32(s, BYTE_COUNT, byteCount);
        u32(s, BYTE_OFFSET, byteOffset);
    }
}
