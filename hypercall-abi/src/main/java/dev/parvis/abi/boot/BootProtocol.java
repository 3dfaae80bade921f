package dev.parvis.abi.boot;

/** Fixed addresses and ports of the boot protocol (README.md, "Boot protocol"). */
public final class BootProtocol {
    /** GPA 0-0xFFF is never mapped, so a null dereference becomes an intercept to the root. */
    public static final long NULL_GUARD_END = 0x1000;
    public static final long HYPERCALL_PAGE_GPA = 0x1000;
    public static final long BOOT_INFO_GPA = 0x2000;
    public static final long LOW_FREE_GPA = 0x3000;
    /** The SDK's linker script links images here. */
    public static final long IMAGE_BASE_GPA = 0x10_0000;
    public static final long STACK_SIZE = 0x1_0000;
    public static final long STACK_ALIGNMENT = 16;
    /** Writing POWER_OFF_VALUE to this I/O port ends the partition (QEMU's ACPI PM port). */
    public static final int POWER_OFF_PORT = 0x604;
    public static final int POWER_OFF_VALUE = 0x2000;
    /**
     * Parvis entries of the hypercall page, beside the TLFS hypercall at offset 0: a guest calls them
     * like functions (call, then ret), and each preserves every register. Their instruction sequences
     * are the processor backend's choice; what they do is fixed here. HALT waits until something is
     * pending for the VP, as HLT does; OUTB, OUTW and OUTL write AL, AX or EAX to the I/O port in DX.
     * A guest that uses them instead of the instructions needs no privilege of its own.
     */
    public static final int HYPERCALL_PAGE_HALT = 0xC0;
    public static final int HYPERCALL_PAGE_OUTB = 0xD0;
    public static final int HYPERCALL_PAGE_OUTL = 0xE0;
    public static final int HYPERCALL_PAGE_OUTW = 0xF0;
    /**
     * The processor state every VP starts in and keeps (no guest page tables): CR0 = PE | ET,
     * CR3 = CR4 = 0, EFER = LME | LMA, CS selector 0 with long-mode code attributes, the other
     * segments selector 0 with flat data attributes, LDTR, TR, GDTR and IDTR zero. What a VP's
     * processor really runs with is its backend's business; these are the values the kernel, the
     * root, saved states and HvCallStartVirtualProcessor contexts carry.
     */
    public static final long BOOT_CR0 = 0x11;
    public static final long BOOT_EFER = 0x500;
    public static final int BOOT_CODE_SEGMENT_ATTRIBUTES = 0xA09B;
    public static final int BOOT_DATA_SEGMENT_ATTRIBUTES = 0xC093;
    /**
     * "PRVSEXIT" read as a little-endian u64: RSI holds it at the power-off write when the guest
     * reports an exit status, which is then the low 32 bits of RDI (a signed int, main's return value).
     */
    public static final long EXIT_STATUS_MAGIC = 0x5449_5845_5356_5250L;
    /** The SINT on which a guest receives messages from the root. */
    public static final int ROOT_MESSAGE_SINT = 1;

    private BootProtocol() {
    }
}
