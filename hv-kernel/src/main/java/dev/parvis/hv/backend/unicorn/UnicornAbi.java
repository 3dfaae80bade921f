package dev.parvis.hv.backend.unicorn;

import dev.parvis.hv.backend.GuestMemoryRegion;
import dev.parvis.hv.backend.X64Register;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/**
 * libunicorn 2.x ABI values from unicorn.h and x86.h, checked against the installed headers with a
 * C program (UnicornAbiTest pins the struct layouts). Pure data: no native calls.
 */
final class UnicornAbi {
    private UnicornAbi() {}

    static final int UC_ARCH_X86 = 4;
    static final int UC_MODE_64 = 1 << 3;

    // uc_err
    static final int UC_ERR_OK = 0;
    static final int UC_ERR_READ_UNMAPPED = 6;
    static final int UC_ERR_WRITE_UNMAPPED = 7;
    static final int UC_ERR_FETCH_UNMAPPED = 8;
    static final int UC_ERR_INSN_INVALID = 10;
    static final int UC_ERR_WRITE_PROT = 12;
    static final int UC_ERR_READ_PROT = 13;
    static final int UC_ERR_FETCH_PROT = 14;
    static final int UC_ERR_EXCEPTION = 21;

    // uc_hook_type
    static final int UC_HOOK_INTR = 1;
    static final int UC_HOOK_INSN = 1 << 1;
    static final int UC_HOOK_BLOCK = 1 << 3;
    static final int UC_HOOK_MEM_READ_UNMAPPED = 1 << 4;
    static final int UC_HOOK_MEM_WRITE_UNMAPPED = 1 << 5;
    static final int UC_HOOK_MEM_FETCH_UNMAPPED = 1 << 6;
    static final int UC_HOOK_MEM_READ_PROT = 1 << 7;
    static final int UC_HOOK_MEM_WRITE_PROT = 1 << 8;
    static final int UC_HOOK_MEM_FETCH_PROT = 1 << 9;
    static final int UC_HOOK_MEM_READ = 1 << 10;
    static final int UC_HOOK_MEM_WRITE = 1 << 11;
    static final int UC_HOOK_INSN_INVALID = 1 << 14;
    static final int UC_HOOK_MEM_INVALID = UC_HOOK_MEM_READ_UNMAPPED | UC_HOOK_MEM_WRITE_UNMAPPED
            | UC_HOOK_MEM_FETCH_UNMAPPED | UC_HOOK_MEM_READ_PROT | UC_HOOK_MEM_WRITE_PROT | UC_HOOK_MEM_FETCH_PROT;

    // uc_mem_type as passed to UC_HOOK_MEM_* callbacks
    static final int UC_MEM_READ_UNMAPPED = 19;
    static final int UC_MEM_WRITE_UNMAPPED = 20;
    static final int UC_MEM_FETCH_UNMAPPED = 21;
    static final int UC_MEM_WRITE_PROT = 22;
    static final int UC_MEM_READ_PROT = 23;
    static final int UC_MEM_FETCH_PROT = 24;

    // uc_prot
    static final int UC_PROT_READ = 1;
    static final int UC_PROT_WRITE = 2;
    static final int UC_PROT_EXEC = 4;

    // uc_x86_insn accepted by UC_HOOK_INSN on 2.0.1
    static final int UC_X86_INS_CPUID = 113;
    static final int UC_X86_INS_IN = 218;
    static final int UC_X86_INS_OUT = 500;

    // uc_x86_reg ids that are not in X64Register's direct mapping
    static final int UC_X86_REG_EAX = 19;
    static final int UC_X86_REG_EBX = 21;
    static final int UC_X86_REG_ECX = 22;
    static final int UC_X86_REG_EDX = 24;
    static final int UC_X86_REG_RIP = 41;
    static final int UC_X86_REG_FS_BASE = 250;
    static final int UC_X86_REG_GS_BASE = 251;
    static final int UC_X86_REG_MSR = 248;

    static final int MSR_EFER = 0xC000_0080;
    static final int MSR_KERNEL_GS_BASE = 0xC000_0102;

    /** struct uc_x86_mmr: selector, 6 bytes of padding, base, limit, flags (24 bytes). */
    static final StructLayout X86_MMR = MemoryLayout.structLayout(
            ValueLayout.JAVA_SHORT.withName("selector"),
            MemoryLayout.paddingLayout(6),
            ValueLayout.JAVA_LONG.withName("base"),
            ValueLayout.JAVA_INT.withName("limit"),
            ValueLayout.JAVA_INT.withName("flags"));

    /** struct uc_x86_msr: rid, 4 bytes of padding, value (16 bytes). */
    static final StructLayout X86_MSR = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("rid"),
            MemoryLayout.paddingLayout(4),
            ValueLayout.JAVA_LONG.withName("value"));

    static final long MMR_SELECTOR = X86_MMR.byteOffset(MemoryLayout.PathElement.groupElement("selector"));
    static final long MMR_BASE = X86_MMR.byteOffset(MemoryLayout.PathElement.groupElement("base"));
    static final long MMR_LIMIT = X86_MMR.byteOffset(MemoryLayout.PathElement.groupElement("limit"));
    static final long MMR_FLAGS = X86_MMR.byteOffset(MemoryLayout.PathElement.groupElement("flags"));
    static final long MSR_RID = X86_MSR.byteOffset(MemoryLayout.PathElement.groupElement("rid"));
    static final long MSR_VALUE = X86_MSR.byteOffset(MemoryLayout.PathElement.groupElement("value"));

    /** UC_PROT_* bits for a region's access bits (the bit values happen to agree, stated explicitly). */
    static int protection(int access) {
        int prot = 0;
        if ((access & GuestMemoryRegion.READ) != 0) prot |= UC_PROT_READ;
        if ((access & GuestMemoryRegion.WRITE) != 0) prot |= UC_PROT_WRITE;
        if ((access & GuestMemoryRegion.EXECUTE) != 0) prot |= UC_PROT_EXEC;
        return prot;
    }

    /**
     * The uc_x86_reg id of a register read or written as a plain integer, or -1 for registers that
     * need a struct (segments, tables) or an MSR (EFER, KERNEL_GS_BASE).
     */
    static int registerId(X64Register register) {
        return switch (register) {
            case RAX -> 35;
            case RCX -> 38;
            case RDX -> 40;
            case RBX -> 37;
            case RSP -> 44;
            case RBP -> 36;
            case RSI -> 43;
            case RDI -> 39;
            case R8 -> 106;
            case R9 -> 107;
            case R10 -> 108;
            case R11 -> 109;
            case R12 -> 110;
            case R13 -> 111;
            case R14 -> 112;
            case R15 -> 113;
            case RIP -> UC_X86_REG_RIP;
            case RFLAGS -> 253;
            case ES -> 28;
            case CS -> 11;
            case SS -> 49;
            case DS -> 17;
            case FS -> 32;
            case GS -> 33;
            case LDTR -> 244;
            case TR -> 245;
            case IDTR -> 242;
            case GDTR -> 243;
            case CR0 -> 50;
            case CR2 -> 52;
            case CR3 -> 53;
            case CR4 -> 54;
            case CR8 -> 58;
            case DR0 -> 66;
            case DR1 -> 67;
            case DR2 -> 68;
            case DR3 -> 69;
            case DR6 -> 72;
            case DR7 -> 73;
            case FS_BASE -> UC_X86_REG_FS_BASE;
            case GS_BASE -> UC_X86_REG_GS_BASE;
            case EFER, KERNEL_GS_BASE -> -1;
        };
    }

    /** The MSR index behind a register unicorn only exposes through UC_X86_REG_MSR, or 0 (none). */
    static int msrIndex(X64Register register) {
        return switch (register) {
            case EFER -> MSR_EFER;
            case KERNEL_GS_BASE -> MSR_KERNEL_GS_BASE;
            default -> 0;
        };
    }
}
