package dev.parvis.devices.vhdx.format;

/**
 * One 64-bit BAT entry ([MS-VHDX] 2.5.1): state in bits 0-2, reserved bits 3-19 (must be zero) and
 * FileOffsetMB in bits 20-63. Masking the low 20 bits leaves the file offset in bytes.
 */
public record BatEntry(long raw) {
    public static final int SIZE = 8;
    public static final BatEntry NOT_PRESENT = new BatEntry(0);
    private static final long STATE_MASK = 0x7;
    private static final long RESERVED_MASK = 0xFFFF8;
    private static final long OFFSET_MASK = 0xFFFFFFFFFFF00000L;

    /** An entry for {@code state} locating {@code fileOffset} (a 1 MiB multiple, or 0). */
    public static BatEntry of(int state, long fileOffset) {
        if ((fileOffset & ~OFFSET_MASK) != 0 || (state & ~STATE_MASK) != 0) {
            throw new IllegalArgumentException("state " + state + " offset 0x" + Long.toHexString(fileOffset));
        }
        return new BatEntry(fileOffset | state);
    }

    public int state() {
        return (int) (raw & STATE_MASK);
    }

    public PayloadBlockState payloadState() {
        return new PayloadBlockState(state());
    }

    public SectorBitmapState bitmapState() {
        return new SectorBitmapState(state());
    }

    /** The file offset in bytes ({@code FileOffsetMB} x 1 MiB); always below 2^64 as an unsigned value. */
    public long fileOffset() {
        return raw & OFFSET_MASK;
    }

    public boolean reservedBitsClear() {
        return (raw & RESERVED_MASK) == 0;
    }
}
