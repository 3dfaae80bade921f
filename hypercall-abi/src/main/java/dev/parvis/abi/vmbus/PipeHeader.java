package dev.parvis.abi.vmbus;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;

/**
 * The 8-byte prefix of every in-band payload on a pipe-mode channel (reference section 7.3):
 * {@code packetType} is {@code VmbusConstants.PIPE_PACKET_*}, {@code length} the payload bytes after
 * this header (Linux {@code vmbuspipe_hdr {flags, msgsize}}).
 */
public record PipeHeader(int packetType, int length) {
    public static final int SIZE = 8;
    public static final int MAX_PAYLOAD = 16384;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("type"),
            U32.withName("length"));

    private static final long TYPE = offset(LAYOUT, "type");
    private static final long LENGTH = offset(LAYOUT, "length");

    public static PipeHeader read(MemorySegment s) {
        return new PipeHeader(u32(s, TYPE), u32(s, LENGTH));
    }

    public void write(MemorySegment s) {
        u32(s, TYPE, packetType);
        u32(s, LENGTH, length);
    }
}
