package dev.parvis.devices.vhdx.format;

/**
 * The state of a payload BAT entry ([MS-VHDX] 2.5.1.1). An open value type: the three state bits
 * come from the file, so an unknown value is data that the BAT check refuses by name.
 */
public record PayloadBlockState(int raw) {
    public static final PayloadBlockState NOT_PRESENT = new PayloadBlockState(0);
    public static final PayloadBlockState UNDEFINED = new PayloadBlockState(1);
    public static final PayloadBlockState ZERO = new PayloadBlockState(2);
    public static final PayloadBlockState UNMAPPED = new PayloadBlockState(3);
    /** Value 5 is reserved in [MS-VHDX]; QEMU reads it as the v0.95 spelling of UNMAPPED, and so do we. */
    public static final PayloadBlockState UNMAPPED_V095 = new PayloadBlockState(5);
    public static final PayloadBlockState FULLY_PRESENT = new PayloadBlockState(6);
    public static final PayloadBlockState PARTIALLY_PRESENT = new PayloadBlockState(7);

    /** Whether the state locates data in this file (and so its FileOffsetMB is used). */
    public boolean hasData() {
        return raw == 6 || raw == 7;
    }

    /** Whether a read of the block returns zeros without looking anywhere (ZERO, UNDEFINED, UNMAPPED). */
    public boolean readsAsZero() {
        return raw == 1 || raw == 2 || raw == 3 || raw == 5;
    }

    public String name() {
        return switch (raw) {
            case 0 -> "NOT_PRESENT";
            case 1 -> "UNDEFINED";
            case 2 -> "ZERO";
            case 3 -> "UNMAPPED";
            case 5 -> "UNMAPPED_V095";
            case 6 -> "FULLY_PRESENT";
            case 7 -> "PARTIALLY_PRESENT";
            default -> "reserved(" + raw + ")";
        };
    }

    @Override
    public String toString() {
        return name();
    }
}
