package dev.parvis.abi.vmbus;

import dev.parvis.abi.hv.NameTable;
import java.util.Map;

/**
 * The {@code type} of a ring-buffer packet descriptor (reference section 7.3). An open value type:
 * an unknown type read from a ring is data; the ring's owner decides to fail the channel.
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

    private static final Map<Long, String> NAMES = NameTable.scan(PacketType.class);

    public static PacketType of(int raw) {
        return new PacketType((short) raw);
    }

    /** The constant's name, or the raw value in hex when this table does not know it. */
    public String name() {
        String name = NAMES.get((long) raw);
        return name != null ? name : "0x%04X".formatted(raw & 0xFFFF);
    }

    public boolean isKnown() {
        return NAMES.containsKey((long) raw);
    }

    @Override
    public String toString() {
        return isKnown() ? name() : "PacketType(" + name() + ")";
    }
}
