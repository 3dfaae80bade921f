package dev.parvis.hv.memory;

/** Who holds a system-physical page. */
public enum PageState {
    /** Root-owned and not handed out by the root's allocator. */
    ROOT_FREE,
    /** Root-owned and in use by the root. */
    ROOT_ALLOCATED,
    /** Given to the hypervisor for one partition's use (DepositMemory). */
    DEPOSITED,
    /** Mapped into exactly one child partition's GPA space. */
    GUEST,
    /**
     * A deposited page the hypervisor uses for its partition: an overlay page (hypercall page, a
     * VP's SIM or SIEF page). Still the partition's deposit, but never withdrawn while in use.
     */
    HYPERVISOR
}
