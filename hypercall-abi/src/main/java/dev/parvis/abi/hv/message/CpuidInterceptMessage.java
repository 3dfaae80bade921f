package dev.parvis.abi.hv.message;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.Objects;

import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u64;

/**
 * Payload of X64_CPUID_INTERCEPT messages, 104 bytes (reference section 5.2): the guest's input
 * registers and the result the hypervisor would return by default.
 */
public record CpuidInterceptMessage(InterceptHeader header, long rax, long rcx, long rdx, long rbx, long defaultResultRax, long defaultResultRcx, long defaultResultRdx, long defaultResultRbx) {
    public static final int SIZE = 104;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            InterceptHeader.LAYOUT.withName("header"),
            U64.withName("rax"),
            U64.withName("rcx"),
            U64.withName("rdx"),
            U64.withName("rbx"),
            U64.withName("default_result_rax"),
            U64.withName("default_result_rcx"),
            U64.withName("default_result_rdx"),
            U64.withName("default_result_rbx"));

    private static final long HEADER = offset(LAYOUT, "header");
    private static final long RAX = offset(LAYOUT, "rax");
    private static final long RCX = offset(LAYOUT, "rcx");
    private static final long RDX = offset(LAYOUT, "rdx");
    private static final long RBX = offset(LAYOUT, "rbx");
    private static final long DEFAULT_RESULT_RAX = offset(LAYOUT, "default_result_rax");
    private static final long DEFAULT_RESULT_RCX = offset(LAYOUT, "default_result_rcx");
    private static final long DEFAULT_RESULT_RDX = offset(LAYOUT, "default_result_rdx");
    private static final long DEFAULT_RESULT_RBX = offset(LAYOUT, "default_result_rbx");

    public CpuidInterceptMessage {
        Objects.requireNonNull(header, "header");
    }

    public static CpuidInterceptMessage read(MemorySegment s) {
        InterceptHeader header = InterceptHeader.read(s.asSlice(HEADER, InterceptHeader.LAYOUT.byteSize()));
        long rax = u64(s, RAX);
        long rcx = u64(s, RCX);
        long rdx = u64(s, RDX);
        long rbx = u64(s, RBX);
        long defaultResultRax = u64(s, DEFAULT_RESULT_RAX);
        long defaultResultRcx = u64(s, DEFAULT_RESULT_RCX);
        long defaultResultRdx = u64(s, DEFAULT_RESULT_RDX);
        long defaultResultRbx = u64(s, DEFAULT_RESULT_RBX);
        return new CpuidInterceptMessage(header, rax, rcx, rdx, rbx, defaultResultRax, defaultResultRcx, defaultResultRdx, defaultResultRbx);
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        header.write(s.asSlice(HEADER, InterceptHeader.LAYOUT.byteSize()));
        u64(s, RAX, rax);
        u64(s, RCX, rcx);
        u64(s, RDX, rdx);
        u64(s, RBX, rbx);
        u64(s, DEFAULT_RESULT_RAX, defaultResultRax);
        u64(s, DEFAULT_RESULT_RCX, defaultResultRcx);
        u64(s, DEFAULT_RESULT_RDX, defaultResultRdx);
        u64(s, DEFAULT_RESULT_RBX, defaultResultRbx);
    }
}
