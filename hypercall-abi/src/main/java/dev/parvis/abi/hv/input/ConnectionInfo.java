package dev.parvis.abi.hv.input;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.pad;
import static dev.parvis.abi.layout.LittleEndian.u32;
import static dev.parvis.abi.layout.LittleEndian.u64;

/**
 * The 32-byte connection_info of HvCallConnectPort (reference section 3.4): port_type, then per type
 * nothing (message, event), the monitor page GPA (monitor) or the doorbell GPA (doorbell, whose
 * trigger value and flags Parvis does not support and leaves zero).
 */
public record ConnectionInfo(int portType, long monitorAddress) {
    public static final int SIZE = 32;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("port_type"),
            pad(4),
            U64.withName("monitor_address"),
            pad(16));

    private static final long PORT_TYPE = offset(LAYOUT, "port_type");
    private static final long MONITOR_ADDRESS = offset(LAYOUT, "monitor_address");

    public static ConnectionInfo read(MemorySegment s) {
        int portType = u32(s, PORT_TYPE);
        long monitorAddress = u64(s, MONITOR_ADDRESS);
        return new ConnectionInfo(portType, monitorAddress);
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u32(s, PORT_TYPE, portType);
        u64(s, MONITOR_ADDRESS, monitorAddress);
    }

    public static ConnectionInfo of(int portType) {
        return new ConnectionInfo(portType, 0);
    }
}
