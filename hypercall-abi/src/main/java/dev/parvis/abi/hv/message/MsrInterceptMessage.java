package dev.parvis.abi.hv.message;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.Objects;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;
import static dev.parvis.abi.layout.LittleEndian.u64;

/**
 * Payload of X64_MSR_INTERCEPT messages, 64 bytes (Linux hv_x64_msr_intercept_message):
 * the MSR index and the EDX:EAX value of a WRMSR.
 */
public record MsrInterceptMessage(InterceptHeader header, int msrNumber, long rdx, long rax) {
    public static final int SIZE = 64;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            InterceptHeader.LAYOUT.withName("header"),
            U32.withName("msr_number"),
            U32.withName("reserved"),
            U64.withName("rdx"),
            U64.withName("rax"));

    private static final long HEADER = offset(LAYOUT, "header");
    private static final long MSR_NUMBER = offset(LAYOUT, "msr_number");
    private static final long RDX = offset(LAYOUT, "rdx");
    private static final long RAX = offset(LAYOUT, "rax");

    public MsrInterceptMessage {
        Objects.requireNonNull(header, "header");
    }

    public static MsrInterceptMessage read(MemorySegment s) {
        InterceptHeader header = InterceptHeader.read(s.asSlice(HEADER, InterceptHeader.LAYOUT.byteSize()));
        int msrNumber = u32(s, MSR_NUMBER);
        long rdx = u64(s, RDX);
        long rax = u64(s, RAX);
        return new MsrInterceptMessage(header, msrNumber, rdx, rax);
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        header.write(s.asSlice(HEADER, InterceptHeader.LAYOUT.byteSize()));
        u32(s, MSR_NUMBER, msrNumber);
        u64(s, RDX, rdx);
        u64(s, RAX, rax);
    }
}
