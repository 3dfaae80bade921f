package dev.parvis.hv.backend;

/** The architectural x86-64 registers a backend exposes (a closed, host-only set). */
public enum X64Register {
    RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15,
    RIP, RFLAGS,
    ES, CS, SS, DS, FS, GS, LDTR, TR,
    IDTR, GDTR,
    CR0, CR2, CR3, CR4, CR8, EFER,
    DR0, DR1, DR2, DR3, DR6, DR7,
    FS_BASE, GS_BASE, KERNEL_GS_BASE;

    public boolean isSegment() {
        return ordinal() >= ES.ordinal() && ordinal() <= TR.ordinal();
    }

    public boolean isTable() {
        return this == IDTR || this == GDTR;
    }
}
