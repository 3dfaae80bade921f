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
     * "PRVSEXIT" read as a little-endian u64: RSI holds it at the power-off write when the guest
     * reports an exit status, which is then the low 32 bits of RDI (a signed int, main's return value).
     */
    public static final long EXIT_STATUS_MAGIC = 0x5449_5845_5356_5250L;
    /** The SINT on which a guest receives messages from the root. */
    public static final int ROOT_MESSAGE_SINT = 1;

    private BootProtocol() {
    }
}
