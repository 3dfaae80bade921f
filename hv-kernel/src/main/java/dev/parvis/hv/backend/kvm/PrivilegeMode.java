package dev.parvis.hv.backend.kvm;

/**
 * How the backend runs guest code. The kernel, the root and saved states never see the difference:
 * both present the boot protocol's architectural state (CPL 0, flat segments, paging off).
 */
public enum PrivilegeMode {
    /**
     * CPL 3 with a user-accessible identity map: on a PVM host (KVM without VT-x/AMD-V) this is the
     * only way guest memory accesses run natively instead of being emulated one by one. Privileged
     * instructions fault; the backend emulates HLT, IN/OUT, CLI/STI from the fault, and the hypercall
     * page needs no privilege at all. IF and IOPL are kept by the backend, not the processor.
     */
    DEPRIVILEGED(3, SupervisorArea.USER_CS, SupervisorArea.USER_SS),
    /** CPL 0, as on VT-x/AMD-V: privileged instructions execute (HLT and I/O exit; MSRs can be trapped). */
    PRIVILEGED(0, SupervisorArea.KERNEL_CS, SupervisorArea.KERNEL_SS);

    /** RFLAGS bits the backend keeps for a deprivileged guest: IF (9) and IOPL (12-13). */
    static final long VIRTUAL_FLAGS = (1L << 9) | (3L << 12);

    private final int cpl;
    private final short codeSelector;
    private final short stackSelector;

    PrivilegeMode(int cpl, short codeSelector, short stackSelector) {
        this.cpl = cpl;
        this.codeSelector = codeSelector;
        this.stackSelector = stackSelector;
    }

    public int cpl() {
        return cpl;
    }

    short codeSelector() {
        return codeSelector;
    }

    short stackSelector() {
        return stackSelector;
    }

    /** RFLAGS bits the processor does not hold for this mode. */
    long virtualFlags() {
        return this == DEPRIVILEGED ? VIRTUAL_FLAGS : 0;
    }

    /** Parses {@code cpl0}/{@code cpl3} (the {@code parvis.kvm.privilege} property). */
    static PrivilegeMode parse(String value) {
        return switch (value) {
            case "cpl3", "deprivileged" -> DEPRIVILEGED;
            case "cpl0", "privileged" -> PRIVILEGED;
            default -> throw new IllegalArgumentException("privilege mode '" + value + "': use cpl0 or cpl3");
        };
    }
}
