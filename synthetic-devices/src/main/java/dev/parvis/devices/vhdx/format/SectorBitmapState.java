package dev.parvis.devices.vhdx.format;

/**
 * The state of a sector bitmap BAT entry ([MS-VHDX] 2.5.1.2): NOT_PRESENT, or PRESENT (differencing
 * disks only). An open value type like {@link PayloadBlockState}.
 */
public record SectorBitmapState(int raw) {
    public static final SectorBitmapState NOT_PRESENT = new SectorBitmapState(0);
    public static final SectorBitmapState PRESENT = new SectorBitmapState(6);

    @Override
    public String toString() {
        return switch (raw) {
            case 0 -> "SB_BLOCK_NOT_PRESENT";
            case 6 -> "SB_BLOCK_PRESENT";
            default -> "reserved(" + raw + ")";
        };
    }
}
