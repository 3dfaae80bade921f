package dev.parvis.abi.hv.input;

import dev.parvis.abi.hv.HvPortType;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U16;
import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.pad;
import static dev.parvis.abi.layout.LittleEndian.u16;
import static dev.parvis.abi.layout.LittleEndian.u32;

/**
 * The 24-byte port_info of HvCallCreatePort (reference section 3.4). On the wire it is a union
 * chosen by port_type; this layout is the event variant, whose fields are a superset of the
 * message and doorbell variants (target_sint, target_vp). For message and doorbell ports the flag
 * fields are not part of the wire format, so {@link #read} and {@link #write} treat them as zero.
 * A monitor port overlays its monitor page GPA on target_sint/target_vp ({@link #monitorAddress}).
 */
public record PortInfo(int portType, int targetSint, int targetVp, short baseFlagNumber, short flagCount) {
    public static final int SIZE = 24;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("port_type"),
            pad(4),
            U32.withName("target_sint"),
            U32.withName("target_vp"),
            U16.withName("base_flag_number"),
            U16.withName("flag_count"),
            pad(4));

    private static final long PORT_TYPE = offset(LAYOUT, "port_type");
    private static final long TARGET_SINT = offset(LAYOUT, "target_sint");
    private static final long TARGET_VP = offset(LAYOUT, "target_vp");
    private static final long BASE_FLAG_NUMBER = offset(LAYOUT, "base_flag_number");
    private static final long FLAG_COUNT = offset(LAYOUT, "flag_count");

    public PortInfo {
        if (!hasFlags(portType)) {
            baseFlagNumber = 0;
            flagCount = 0;
        }
    }

    public static PortInfo message(int targetSint, int targetVp) {
        return new PortInfo(HvPortType.MESSAGE, targetSint, targetVp, (short) 0, (short) 0);
    }

    public static PortInfo event(int targetSint, int targetVp, short baseFlagNumber, short flagCount) {
        return new PortInfo(HvPortType.EVENT, targetSint, targetVp, baseFlagNumber, flagCount);
    }

    public static PortInfo read(MemorySegment s) {
        int type = u32(s, PORT_TYPE);
        boolean flags = hasFlags(type);
        return new PortInfo(type, u32(s, TARGET_SINT), u32(s, TARGET_VP),
                flags ? u16(s, BASE_FLAG_NUMBER) : 0, flags ? u16(s, FLAG_COUNT) : 0);
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u32(s, PORT_TYPE, portType);
        u32(s, TARGET_SINT, targetSint);
        u32(s, TARGET_VP, targetVp);
        u16(s, BASE_FLAG_NUMBER, baseFlagNumber);
        u16(s, FLAG_COUNT, flagCount);
    }

    /** The monitor page GPA of a monitor port, which shares bytes 8-15 with target_sint/target_vp. */
    public long monitorAddress() {
        return Integer.toUnsignedLong(targetSint) | ((long) targetVp << 32);
    }

    /** Unknown types keep their flag fields: they are data for the kernel to reject. */
    private static boolean hasFlags(int portType) {
        return portType != HvPortType.MESSAGE && portType != HvPortType.DOORBELL;
    }
}
