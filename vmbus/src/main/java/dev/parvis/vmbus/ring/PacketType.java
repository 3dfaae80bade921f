package dev.parvis.vmbus.ring;

/**
 * The {@code type} of a packet descriptor (reference section 7.3). An open value type: an unknown
 * type read from a ring is data, and the ring's owner decides whether to fail the channel.
 *
 * <p>Same shape and constant names as {@code dev.parvis.abi.vmbus.PacketType}, which is not on
 * this branch yet; when it lands, this class is deleted and the ring imports that one.
 */
public record PacketType(short raw) {
    public static final PacketType INVALID = new PacketType((short) 0x0);
    public static final PacketType SYNCH = new PacketType((short) 0x1);
    public static final PacketType ADD_TRANSFER_PAGESET = new PacketType((short) 0x2);
    public static final PacketType REMOVE_TRANSFER_PAGESET = new PacketType((short) 0x3);
    public static final PacketType ESTABLISH_GPADL = new PacketType((short) 0x4);
    public static final PacketType TEARDOWN_GPADL = new PacketType((short) 0x5);
    public static final PacketType DATA_INBAND = new PacketType((short) 0x6);
    public static final PacketType DATA_USING_TRANSFER_PAGES = new PacketType((short) 0x7);
    public static final PacketType DATA_USING_GPADL = new PacketType((short) 0x8);
    public static final PacketType DATA_USING_GPA_DIRECT = new PacketType((short) 0x9);
    public static final PacketType CANCEL_REQUEST = new PacketType((short) 0xA);
    public static final PacketType COMPLETION = new PacketType((short) 0xB);
    public static final PacketType DATA_USING_ADDITIONAL_PACKET = new PacketType((short) 0xC);
    public static final PacketType ADDITIONAL_DATA = new PacketType((short) 0xD);

    private static final String[] NAMES = {
        "INVALID", "SYNCH", "ADD_TRANSFER_PAGESET", "REMOVE_TRANSFER_PAGESET", "ESTABLISH_GPADL",
        "TEARDOWN_GPADL", "DATA_INBAND", "DATA_USING_TRANSFER_PAGES", "DATA_USING_GPADL",
        "DATA_USING_GPA_DIRECT", "CANCEL_REQUEST", "COMPLETION", "DATA_USING_ADDITIONAL_PACKET",
        "ADDITIONAL_DATA",
    };

    public static PacketType of(int raw) {
        return new PacketType((short) raw);
    }

    /** The constant's name, or the raw value in hex when this table does not know it. */
    public String name() {
        return isKnown() ? NAMES[raw] : "0x%04X".formatted(raw & 0xFFFF);
    }

    public boolean isKnown() {
        return raw >= 0 && raw < NAMES.length;
    }

    @Override
    public String toString() {
        return isKnown() ? name() : "PacketType(" + name() + ")";
    }
}
