package dev.parvis.hv.backend.kvm;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * The KVM user-space ABI as far as this backend uses it ({@code <linux/kvm.h>}, x86-64): ioctl
 * numbers, capabilities, exit reasons and struct layouts. Defined once here; KvmAbiTest compiles
 * the kernel header with gcc and compares every number and offset.
 */
final class KvmAbi {
    private KvmAbi() {}

    static final int API_VERSION = 12;
    private static final int KVMIO = 0xAE;

    static final long GET_API_VERSION = io(0x00);
    static final long CREATE_VM = io(0x01);
    static final long CHECK_EXTENSION = io(0x03);
    static final long GET_VCPU_MMAP_SIZE = io(0x04);
    static final long GET_SUPPORTED_CPUID = iowr(0x05, 8);
    static final long CREATE_VCPU = io(0x41);
    static final long SET_USER_MEMORY_REGION = iow(0x46, 32);
    static final long RUN = io(0x80);
    static final long GET_REGS = ior(0x81, 144);
    static final long SET_REGS = iow(0x82, 144);
    static final long GET_SREGS = ior(0x83, 312);
    static final long SET_SREGS = iow(0x84, 312);
    static final long SET_CPUID2 = iow(0x90, 8);
    static final long ENABLE_CAP = iow(0xA3, 104);
    static final long SET_MSR_FILTER = iow(0xC6, 392);

    static final int CAP_USER_MEMORY = 3;
    static final int CAP_NR_MEMSLOTS = 10;
    static final int CAP_SYNC_REGS = 74;
    static final int CAP_READONLY_MEM = 81;
    static final int CAP_IMMEDIATE_EXIT = 136;
    static final int CAP_X86_USER_SPACE_MSR = 188;
    static final int CAP_X86_MSR_FILTER = 189;
    static final int CAP_DISABLE_QUIRKS2 = 213;

    static final int SYNC_X86_REGS = 1;
    static final int SYNC_X86_SREGS = 2;
    static final long QUIRK_FIX_HYPERCALL_INSN = 1L << 5;
    static final int MEM_READONLY = 2;
    static final int MSR_EXIT_REASON_FILTER = 1 << 2;
    static final int MSR_FILTER_DEFAULT_ALLOW = 0;
    static final int MSR_FILTER_READ = 1;
    static final int MSR_FILTER_WRITE = 2;

    static final int EXIT_UNKNOWN = 0;
    static final int EXIT_EXCEPTION = 1;
    static final int EXIT_IO = 2;
    static final int EXIT_DEBUG = 4;
    static final int EXIT_HLT = 5;
    static final int EXIT_MMIO = 6;
    static final int EXIT_SHUTDOWN = 8;
    static final int EXIT_FAIL_ENTRY = 9;
    static final int EXIT_INTR = 10;
    static final int EXIT_INTERNAL_ERROR = 17;
    static final int EXIT_SYSTEM_EVENT = 24;
    static final int EXIT_X86_RDMSR = 29;
    static final int EXIT_X86_WRMSR = 30;
    static final int INTERNAL_ERROR_EMULATION = 1;
    static final int EXIT_IO_IN = 0;
    static final int EXIT_IO_OUT = 1;

    /** struct kvm_segment. */
    static final StructLayout SEGMENT = MemoryLayout.structLayout(
            JAVA_LONG.withName("base"), JAVA_INT.withName("limit"), JAVA_SHORT.withName("selector"),
            JAVA_BYTE.withName("type"), JAVA_BYTE.withName("present"), JAVA_BYTE.withName("dpl"), JAVA_BYTE.withName("db"),
            JAVA_BYTE.withName("s"), JAVA_BYTE.withName("l"), JAVA_BYTE.withName("g"), JAVA_BYTE.withName("avl"),
            JAVA_BYTE.withName("unusable"), JAVA_BYTE.withName("padding"));
    /** struct kvm_dtable. */
    static final StructLayout DTABLE = MemoryLayout.structLayout(
            JAVA_LONG.withName("base"), JAVA_SHORT.withName("limit"), MemoryLayout.sequenceLayout(3, JAVA_SHORT).withName("padding"));
    /** struct kvm_regs: RAX RBX RCX RDX RSI RDI RSP RBP R8-R15 RIP RFLAGS. */
    static final StructLayout REGS = MemoryLayout.structLayout(
            JAVA_LONG.withName("rax"), JAVA_LONG.withName("rbx"), JAVA_LONG.withName("rcx"), JAVA_LONG.withName("rdx"),
            JAVA_LONG.withName("rsi"), JAVA_LONG.withName("rdi"), JAVA_LONG.withName("rsp"), JAVA_LONG.withName("rbp"),
            JAVA_LONG.withName("r8"), JAVA_LONG.withName("r9"), JAVA_LONG.withName("r10"), JAVA_LONG.withName("r11"),
            JAVA_LONG.withName("r12"), JAVA_LONG.withName("r13"), JAVA_LONG.withName("r14"), JAVA_LONG.withName("r15"),
            JAVA_LONG.withName("rip"), JAVA_LONG.withName("rflags"));
    /** struct kvm_sregs. */
    static final StructLayout SREGS = MemoryLayout.structLayout(
            SEGMENT.withName("cs"), SEGMENT.withName("ds"), SEGMENT.withName("es"), SEGMENT.withName("fs"),
            SEGMENT.withName("gs"), SEGMENT.withName("ss"), SEGMENT.withName("tr"), SEGMENT.withName("ldt"),
            DTABLE.withName("gdt"), DTABLE.withName("idt"),
            JAVA_LONG.withName("cr0"), JAVA_LONG.withName("cr2"), JAVA_LONG.withName("cr3"), JAVA_LONG.withName("cr4"),
            JAVA_LONG.withName("cr8"), JAVA_LONG.withName("efer"), JAVA_LONG.withName("apic_base"),
            MemoryLayout.sequenceLayout(4, JAVA_LONG).withName("interrupt_bitmap"));
    /** struct kvm_userspace_memory_region. */
    static final StructLayout MEMORY_REGION = MemoryLayout.structLayout(
            JAVA_INT.withName("slot"), JAVA_INT.withName("flags"), JAVA_LONG.withName("guest_phys_addr"),
            JAVA_LONG.withName("memory_size"), JAVA_LONG.withName("userspace_addr"));
    /** struct kvm_cpuid_entry2. */
    static final StructLayout CPUID_ENTRY = MemoryLayout.structLayout(
            JAVA_INT.withName("function"), JAVA_INT.withName("index"), JAVA_INT.withName("flags"),
            JAVA_INT.withName("eax"), JAVA_INT.withName("ebx"), JAVA_INT.withName("ecx"), JAVA_INT.withName("edx"),
            MemoryLayout.sequenceLayout(3, JAVA_INT).withName("padding"));
    /** struct kvm_cpuid2 header (entries follow). */
    static final StructLayout CPUID2 = MemoryLayout.structLayout(JAVA_INT.withName("nent"), JAVA_INT.withName("padding"));
    /** struct kvm_enable_cap. */
    static final StructLayout ENABLE_CAP_ARGS = MemoryLayout.structLayout(
            JAVA_INT.withName("cap"), JAVA_INT.withName("flags"), MemoryLayout.sequenceLayout(4, JAVA_LONG).withName("args"),
            MemoryLayout.sequenceLayout(64, JAVA_BYTE).withName("pad"));
    /** struct kvm_msr_filter_range. */
    static final StructLayout MSR_FILTER_RANGE = MemoryLayout.structLayout(
            JAVA_INT.withName("flags"), JAVA_INT.withName("nmsrs"), JAVA_INT.withName("base"), MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("bitmap"));
    /** struct kvm_msr_filter. */
    static final StructLayout MSR_FILTER = MemoryLayout.structLayout(
            JAVA_INT.withName("flags"), MemoryLayout.paddingLayout(4), MemoryLayout.sequenceLayout(16, MSR_FILTER_RANGE).withName("ranges"));

    // struct kvm_run: the fixed header, the exit union at 32, then the synced registers.
    static final long RUN_IMMEDIATE_EXIT = 1;
    static final long RUN_EXIT_REASON = 8;
    static final long RUN_EXIT_UNION = 32;
    static final long RUN_IO_DIRECTION = 32;
    static final long RUN_IO_SIZE = 33;
    static final long RUN_IO_PORT = 34;
    static final long RUN_IO_COUNT = 36;
    static final long RUN_IO_DATA_OFFSET = 40;
    static final long RUN_MMIO_PHYS_ADDR = 32;
    static final long RUN_MMIO_DATA = 40;
    static final long RUN_MMIO_LEN = 48;
    static final long RUN_MMIO_IS_WRITE = 52;
    static final long RUN_INTERNAL_SUBERROR = 32;
    static final long RUN_FAIL_ENTRY_REASON = 32;
    static final long RUN_MSR_ERROR = 32;
    static final long RUN_MSR_REASON = 40;
    static final long RUN_MSR_INDEX = 44;
    static final long RUN_MSR_DATA = 48;
    static final long RUN_VALID_REGS = 288;
    static final long RUN_DIRTY_REGS = 296;
    static final long RUN_SYNC_REGS = 304;
    static final long RUN_SYNC_SREGS = RUN_SYNC_REGS + 144;

    static long offset(StructLayout layout, String... path) {
        MemoryLayout.PathElement[] elements = new MemoryLayout.PathElement[path.length];
        for (int i = 0; i < path.length; i++) {
            elements[i] = groupElement(path[i]);
        }
        return layout.byteOffset(elements);
    }

    private static long io(int nr) {
        return ((long) KVMIO << 8) | nr;
    }

    private static long iow(int nr, int size) {
        return (1L << 30) | ((long) size << 16) | ((long) KVMIO << 8) | nr;
    }

    private static long ior(int nr, int size) {
        return (2L << 30) | ((long) size << 16) | ((long) KVMIO << 8) | nr;
    }

    private static long iowr(int nr, int size) {
        return (3L << 30) | ((long) size << 16) | ((long) KVMIO << 8) | nr;
    }
}
