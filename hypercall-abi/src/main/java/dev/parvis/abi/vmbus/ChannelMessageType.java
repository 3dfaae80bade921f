package dev.parvis.abi.vmbus;

import dev.parvis.abi.hv.NameTable;
import java.util.Map;

/**
 * The {@code message_type} word of every VMBus channel message (reference section 6.3). An open
 * value type: an unknown type from a guest is data, answered by the server, not a crash.
 */
public record ChannelMessageType(int raw) {
    public static final ChannelMessageType INVALID = new ChannelMessageType(0);
    public static final ChannelMessageType OFFER_CHANNEL = new ChannelMessageType(1);
    public static final ChannelMessageType RESCIND_CHANNEL_OFFER = new ChannelMessageType(2);
    public static final ChannelMessageType REQUEST_OFFERS = new ChannelMessageType(3);
    public static final ChannelMessageType ALL_OFFERS_DELIVERED = new ChannelMessageType(4);
    public static final ChannelMessageType OPEN_CHANNEL = new ChannelMessageType(5);
    public static final ChannelMessageType OPEN_CHANNEL_RESULT = new ChannelMessageType(6);
    public static final ChannelMessageType CLOSE_CHANNEL = new ChannelMessageType(7);
    public static final ChannelMessageType GPADL_HEADER = new ChannelMessageType(8);
    public static final ChannelMessageType GPADL_BODY = new ChannelMessageType(9);
    public static final ChannelMessageType GPADL_CREATED = new ChannelMessageType(10);
    public static final ChannelMessageType GPADL_TEARDOWN = new ChannelMessageType(11);
    public static final ChannelMessageType GPADL_TORNDOWN = new ChannelMessageType(12);
    public static final ChannelMessageType RELID_RELEASED = new ChannelMessageType(13);
    public static final ChannelMessageType INITIATE_CONTACT = new ChannelMessageType(14);
    public static final ChannelMessageType VERSION_RESPONSE = new ChannelMessageType(15);
    public static final ChannelMessageType UNLOAD = new ChannelMessageType(16);
    public static final ChannelMessageType UNLOAD_RESPONSE = new ChannelMessageType(17);
    public static final ChannelMessageType OPEN_RESERVED_CHANNEL = new ChannelMessageType(18);
    public static final ChannelMessageType CLOSE_RESERVED_CHANNEL = new ChannelMessageType(19);
    public static final ChannelMessageType CLOSE_RESERVED_RESPONSE = new ChannelMessageType(20);
    public static final ChannelMessageType TL_CONNECT_REQUEST = new ChannelMessageType(21);
    public static final ChannelMessageType MODIFY_CHANNEL = new ChannelMessageType(22);
    public static final ChannelMessageType TL_CONNECT_RESULT = new ChannelMessageType(23);
    public static final ChannelMessageType MODIFY_CHANNEL_RESPONSE = new ChannelMessageType(24);

    private static final Map<Long, String> NAMES = NameTable.scan(ChannelMessageType.class);

    public static ChannelMessageType of(int raw) {
        return new ChannelMessageType(raw);
    }

    /** The constant's name, or the raw value in hex when this table does not know it. */
    public String name() {
        String name = NAMES.get((long) raw);
        return name != null ? name : "0x%08X".formatted(Integer.toUnsignedLong(raw));
    }

    public boolean isKnown() {
        return NAMES.containsKey((long) raw);
    }

    @Override
    public String toString() {
        return isKnown() ? name() : "ChannelMessageType(" + name() + ")";
    }
}
