package dev.parvis.abi.hv.input;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.Objects;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.U8;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.pad;
import static dev.parvis.abi.layout.LittleEndian.u32;
import static dev.parvis.abi.layout.LittleEndian.u64;
import static dev.parvis.abi.layout.LittleEndian.u8;

/**
 * HvCallConnectPort input, 72 bytes (reference section 3.4): binds connection id
 * {@code connectionId} of {@code connectionPartitionId} to a port.
 */
public record ConnectPortInput(long connectionPartitionId, int connectionId, byte connectionVtl, long portPartitionId, int portId, ConnectionInfo connectionInfo, long proximityDomainInfo) {
    public static final int SIZE = 72;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U64.withName("connection_partition_id"),
            U32.withName("connection_id"),
            U8.withName("connection_vtl"),
            pad(3),
            U64.withName("port_partition_id"),
            U32.withName("port_id"),
            pad(4),
            ConnectionInfo.LAYOUT.withName("connection_info"),
            U64.withName("proximity_domain_info"));

    private static final long CONNECTION_PARTITION_ID = offset(LAYOUT, "connection_partition_id");
    private static final long CONNECTION_ID = offset(LAYOUT, "connection_id");
    private static final long CONNECTION_VTL = offset(LAYOUT, "connection_vtl");
    private static final long PORT_PARTITION_ID = offset(LAYOUT, "port_partition_id");
    private static final long PORT_ID = offset(LAYOUT, "port_id");
    private static final long CONNECTION_INFO = offset(LAYOUT, "connection_info");
    private static final long PROXIMITY_DOMAIN_INFO = offset(LAYOUT, "proximity_domain_info");

    public ConnectPortInput {
        Objects.requireNonNull(connectionInfo, "connectionInfo");
    }

    public static ConnectPortInput read(MemorySegment s) {
        long connectionPartitionId = u64(s, CONNECTION_PARTITION_ID);
        int connectionId = u32(s, CONNECTION_ID);
        byte connectionVtl = u8(s, CONNECTION_VTL);
        long portPartitionId = u64(s, PORT_PARTITION_ID);
        int portId = u32(s, PORT_ID);
        ConnectionInfo connectionInfo = ConnectionInfo.read(s.asSlice(CONNECTION_INFO, ConnectionInfo.LAYOUT.byteSize()));
        long proximityDomainInfo = u64(s, PROXIMITY_DOMAIN_INFO);
        return new ConnectPortInput(connectionPartitionId, connectionId, connectionVtl, portPartitionId, portId, connectionInfo, proximityDomainInfo);
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u64(s, CONNECTION_PARTITION_ID, connectionPartitionId);
        u32(s, CONNECTION_ID, connectionId);
        u8(s, CONNECTION_VTL, connectionVtl);
        u64(s, PORT_PARTITION_ID, portPartitionId);
        u32(s, PORT_ID, portId);
        connectionInfo.write(s.asSlice(CONNECTION_INFO, ConnectionInfo.LAYOUT.byteSize()));
        u64(s, PROXIMITY_DOMAIN_INFO, proximityDomainInfo);
    }
}
