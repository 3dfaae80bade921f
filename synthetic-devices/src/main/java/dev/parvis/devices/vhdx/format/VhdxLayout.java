package dev.parvis.devices.vhdx.format;

/**
 * Fixed places and limits of the VHDX container ([MS-VHDX] 2.1-2.2, 2.6.2; digest sections 1 and 7):
 * the 1 MiB header section and the bounds every field is checked against.
 */
public final class VhdxLayout {
    public static final long KIB = 1024;
    public static final long MIB = 1024 * KIB;
    public static final long GIB = 1024 * MIB;
    public static final long TIB = 1024 * GIB;

    public static final long FILE_IDENTIFIER_OFFSET = 0;
    public static final long HEADER_1_OFFSET = 64 * KIB;
    public static final long HEADER_2_OFFSET = 128 * KIB;
    public static final long REGION_TABLE_1_OFFSET = 192 * KIB;
    public static final long REGION_TABLE_2_OFFSET = 256 * KIB;
    /** Everything after this is 1 MiB aligned: log, regions, payload and sector bitmap blocks. */
    public static final long HEADER_SECTION_SIZE = MIB;
    /** Alignment of every object after the header section. */
    public static final long ALIGNMENT = MIB;

    /** The unit of the log and of log replay targets. */
    public static final int LOG_SECTOR_SIZE = 4096;
    /** Log replay never targets the file identifier or the headers ([MS-VHDX] 2.2.2: headers are not logged). */
    public static final long LOWEST_LOGGED_OFFSET = REGION_TABLE_1_OFFSET;

    public static final long MAX_VIRTUAL_DISK_SIZE = 64 * TIB;
    public static final int MIN_BLOCK_SIZE = (int) MIB;
    public static final int MAX_BLOCK_SIZE = (int) (256 * MIB);
    /** A sector bitmap block is 1 MiB = 2^23 bits, one per logical sector ([MS-VHDX] 2.4). */
    public static final int SECTOR_BITMAP_BLOCK_SIZE = (int) MIB;
    public static final long SECTORS_PER_BITMAP_BLOCK = 1L << 23;

    /**
     * The largest file this implementation opens: a 64 TiB fixed disk plus its BAT (at most 512 MiB),
     * a log below 4 GiB and generous room for regions. Larger claims are refused, not trusted.
     */
    public static final long MAX_FILE_SIZE = MAX_VIRTUAL_DISK_SIZE + 64 * GIB;

    private VhdxLayout() {
    }

    public static boolean isAligned(long value, long alignment) {
        return value % alignment == 0;
    }

    public static long roundUp(long value, long alignment) {
        return Math.ceilDiv(value, alignment) * alignment;
    }

    public static boolean isPowerOfTwo(long value) {
        return value > 0 && (value & (value - 1)) == 0;
    }

    /** Whether the logical or physical sector size is one the format defines. */
    public static boolean isSectorSize(long value) {
        return value == 512 || value == 4096;
    }
}
