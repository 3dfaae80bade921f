package dev.parvis.abi.hv;

/** HvCallMapGpaPages map_flags, reference section 3.2. */
public final class HvMapGpaFlags {
    public static final int READABLE = 0x1;
    public static final int WRITABLE = 0x2;
    public static final int KERNEL_EXECUTABLE = 0x4;
    public static final int USER_EXECUTABLE = 0x8;
    public static final int EXECUTABLE = KERNEL_EXECUTABLE | USER_EXECUTABLE;
    public static final int ADJUSTABLE = 0x8000;
    public static final int NO_ACCESS = 0x10000;
    public static final int NOT_CACHED = 0x200000;
    public static final long LARGE_PAGE = 0x80000000L;
    /** Every flag a caller may set; anything else is HV_STATUS_INVALID_PARAMETER. */
    public static final long VALID_MASK = READABLE | WRITABLE | EXECUTABLE | ADJUSTABLE | NO_ACCESS | NOT_CACHED | LARGE_PAGE;
    /** HvCallUnmapGpaPages unmap_flags: the range is a large page. */
    public static final int UNMAP_LARGE_PAGE = 0x2;

    private HvMapGpaFlags() {
    }
}
