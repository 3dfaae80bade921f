package dev.parvis.abi.ic;

import dev.parvis.abi.hv.NameTable;
import java.util.Map;

/**
 * The {@code message_type} word of the icmsg header (reference section 9.2). An open value type:
 * an unknown type from a guest is data, not a crash.
 */
public record IcMessageType(short raw) {
    public static final IcMessageType NEGOTIATE = new IcMessageType((short) 0);
    public static final IcMessageType HEARTBEAT = new IcMessageType((short) 1);
    public static final IcMessageType KVP_EXCHANGE = new IcMessageType((short) 2);
    public static final IcMessageType SHUTDOWN = new IcMessageType((short) 3);
    public static final IcMessageType TIMESYNC = new IcMessageType((short) 4);
    public static final IcMessageType VSS = new IcMessageType((short) 5);
    public static final IcMessageType FCOPY = new IcMessageType((short) 7);

    private static final Map<Long, String> NAMES = NameTable.scan(IcMessageType.class);

    public static IcMessageType of(int raw) {
        return new IcMessageType((short) raw);
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
        return isKnown() ? name() : "IcMessageType(" + name() + ")";
    }
}
