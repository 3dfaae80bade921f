package dev.parvis.abi.hv.message;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.Arrays;
import java.util.Objects;

import static dev.parvis.abi.layout.LittleEndian.U16;
import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.U8;
import static dev.parvis.abi.layout.LittleEndian.bytes;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u16;
import static dev.parvis.abi.layout.LittleEndian.u64;
import static dev.parvis.abi.layout.LittleEndian.u8;

/**
 * Payload of X64_IO_PORT_INTERCEPT messages, 72 bytes (the first 72 bytes of Linux
 * hv_x64_io_port_intercept_message; the string-instruction registers that follow are not modelled).
 * access_info bits 0-2 are the access size in bytes, bit 3 a string instruction, bit 4 a REP prefix;
 * RAX holds the value written by an OUT.
 */
public record IoPortInterceptMessage(InterceptHeader header, short portNumber, byte accessInfo, byte instructionByteCount, long rax, byte[] instructionBytes16) {
    public static final int SIZE = 72;

    public static final int ACCESS_SIZE_MASK = 0x7;
    public static final int ACCESS_STRING_OP = 0x8;
    public static final int ACCESS_REP_PREFIX = 0x10;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            InterceptHeader.LAYOUT.withName("header"),
            U16.withName("port_number"),
            U8.withName("access_info"),
            U8.withName("instruction_byte_count"),
            U32.withName("reserved"),
            U64.withName("rax"),
            bytes(16, "instruction_bytes"));

    private static final long HEADER = offset(LAYOUT, "header");
    private static final long PORT_NUMBER = offset(LAYOUT, "port_number");
    private static final long ACCESS_INFO = offset(LAYOUT, "access_info");
    private static final long INSTRUCTION_BYTE_COUNT = offset(LAYOUT, "instruction_byte_count");
    private static final long RAX = offset(LAYOUT, "rax");
    private static final long INSTRUCTION_BYTES = offset(LAYOUT, "instruction_bytes");

    public IoPortInterceptMessage {
        Objects.requireNonNull(header, "header");
        if (instructionBytes16.length > 16) {
            throw new IllegalArgumentException("instructionBytes16 of " + instructionBytes16.length + " bytes exceeds 16");
        }
        instructionBytes16 = instructionBytes16.clone();
    }

    public static IoPortInterceptMessage read(MemorySegment s) {
        InterceptHeader header = InterceptHeader.read(s.asSlice(HEADER, InterceptHeader.LAYOUT.byteSize()));
        short portNumber = u16(s, PORT_NUMBER);
        byte accessInfo = u8(s, ACCESS_INFO);
        byte instructionByteCount = u8(s, INSTRUCTION_BYTE_COUNT);
        long rax = u64(s, RAX);
        byte[] instructionBytes16 = bytes(s, INSTRUCTION_BYTES, 16);
        return new IoPortInterceptMessage(header, portNumber, accessInfo, instructionByteCount, rax, instructionBytes16);
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        header.write(s.asSlice(HEADER, InterceptHeader.LAYOUT.byteSize()));
        u16(s, PORT_NUMBER, portNumber);
        u8(s, ACCESS_INFO, accessInfo);
        u8(s, INSTRUCTION_BYTE_COUNT, instructionByteCount);
        u64(s, RAX, rax);
        bytes(s, INSTRUCTION_BYTES, 16, instructionBytes16);
    }

    @Override
    public byte[] instructionBytes16() {
        return instructionBytes16.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IoPortInterceptMessage r && Objects.equals(header, r.header)
                && portNumber == r.portNumber
                && accessInfo == r.accessInfo
                && instructionByteCount == r.instructionByteCount
                && rax == r.rax
                && Arrays.equals(instructionBytes16, r.instructionBytes16);
    }

    @Override
    public int hashCode() {
        return Objects.hash(header, portNumber, accessInfo, instructionByteCount, rax, Arrays.hashCode(instructionBytes16));
    }

    @Override
    public String toString() {
        return "IoPortInterceptMessage[header=" + header + ", portNumber=" + portNumber + ", accessInfo=" + accessInfo + ", instructionByteCount=" + instructionByteCount + ", rax=" + rax + ", instructionBytes16=" + instructionBytes16.length + " B]";
    }

    public IoPortInterceptMessage(InterceptHeader header, short portNumber, byte accessInfo,
                                  byte instructionByteCount, long rax) {
        this(header, portNumber, accessInfo, instructionByteCount, rax, new byte[16]);
    }

    public int port() {
        return portNumber & 0xFFFF;
    }

    public int accessSize() {
        return accessInfo & ACCESS_SIZE_MASK;
    }
}
