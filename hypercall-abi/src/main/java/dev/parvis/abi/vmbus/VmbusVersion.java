package dev.parvis.abi.vmbus;

import dev.parvis.abi.hv.NameTable;
import java.util.Map;

/**
 * A VMBus protocol version, {@code major << 16 | minor} (reference section 6.2). An open value
 * type: a version a guest asks for that this table does not name is still a valid value.
 */
public record VmbusVersion(int raw) {
    public static final VmbusVersion WS2008 = new VmbusVersion(0x0000000D);
    public static final VmbusVersion WIN7 = new VmbusVersion(0x00010001);
    public static final VmbusVersion WIN8 = new VmbusVersion(0x00020004);
    public static final VmbusVersion WIN8_1 = new VmbusVersion(0x00030000);
    public static final VmbusVersion WIN10 = new VmbusVersion(0x00040000);
    public static final VmbusVersion WIN10_V4_1 = new VmbusVersion(0x00040001);
    public static final VmbusVersion WIN10_V5 = new VmbusVersion(0x00050000);
    public static final VmbusVersion WIN10_V5_1 = new VmbusVersion(0x00050001);
    public static final VmbusVersion WIN10_V5_2 = new VmbusVersion(0x00050002);
    public static final VmbusVersion WIN10_V5_3 = new VmbusVersion(0x00050003);
    public static final VmbusVersion COPPER = new VmbusVersion(0x00060000);

    private static final Map<Long, String> NAMES = NameTable.scan(VmbusVersion.class);

    public static VmbusVersion of(int major, int minor) {
        if (major < 0 || major > 0xFFFF || minor < 0 || minor > 0xFFFF) {
            throw new IllegalArgumentException("version " + major + "." + minor + " does not fit 16+16 bits");
        }
        return new VmbusVersion(major << 16 | minor);
    }

    public int major() {
        return raw >>> 16;
    }

    public int minor() {
        return raw & 0xFFFF;
    }

    /** Compares major, then minor, as unsigned numbers. */
    public boolean isAtLeast(VmbusVersion other) {
        return Integer.compareUnsigned(raw, other.raw) >= 0;
    }

    /** The constant's name, or {@code major.minor} when this table does not know it. */
    public String name() {
        String name = NAMES.get((long) raw);
        return name != null ? name : major() + "." + minor();
    }

    public boolean isKnown() {
        return NAMES.containsKey((long) raw);
    }

    @Override
    public String toString() {
        return isKnown() ? name() : "VmbusVersion(0x%08X)".formatted(Integer.toUnsignedLong(raw));
    }
}
