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
 * HvCallCreatePort input, 56 bytes (reference section 3.4): the port lives in
 * {@code portPartitionId} and accepts connections from {@code connectionPartitionId}.
 */
public record CreatePortInput(long portPartitionId, int portId, byte portVtl, byte minConnectionVtl, long connectionPartitionId, PortInfo portInfo, long proximityDomainInfo) {
    public static final int SIZE = 56;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U64.withName("port_partition_id"),
            U32.withName("port_id"),
            U8.withName("port_vtl"),
            U8.withName("min_connection_vtl"),
            pad(2),
            U64.withName("connection_partition_id"),
            PortInfo.LAYOUT.withName("port_info"),
            U64.withName("proximity_domain_info"));

    private static final long PORT_PARTITION_ID = offset(LAYOUT, "port_partition_id");
    private static final long PORT_ID = offset(LAYOUT, "port_id");
    private static final long PORT_VTL = offset(LAYOUT, "port_vtl");
    private static final long MIN_CONNECTION_VTL = offset(LAYOUT, "min_connection_vtl");
    private static final long CONNECTION_PARTITION_ID = offset(LAYOUT, "connection_partition_id");
    private static final long PORT_INFO = offset(LAYOUT, "port_info");
    private static final long PROXIMITY_DOMAIN_INFO = offset(LAYOUT, "proximity_domain_info");

    public CreatePortInput {
        Objects.requireNonNull(portInfo, "portInfo");
    }

    public static CreatePortInput read(MemorySegment s) {
        long portPartitionId = u64(s, PORT_PARTITION_ID);
        int portId = u32(s, PORT_ID);
        byte portVtl = u8(s, PORT_VTL);
        byte minConnectionVtl = u8(s, MIN_CONNECTION_VTL);
        long connectionPartitionId = u64(s, CONNECTION_PARTITION_ID);
        PortInfo portInfo = PortInfo.read(s.asSlice(PORT_INFO, PortInfo.LAYOUT.byteSize()));
        long proximityDomainInfo = u64(s, PROXIMITY_DOMAIN_INFO);
        return new CreatePortInput(portPartitionId, portId, portVtl, minConnectionVtl, connectionPartitionId, portInfo, proximityDomainInfo);
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u64(s, PORT_PARTITION_ID, portPartitionId);
        u32(s, PORT_ID, portId);
        u8(s, PORT_VTL, portVtl);
        u8(s, MIN_CONNECTION_VTL, minConnectionVtl);
        u64(s, CONNECTION_PARTITION_ID, connectionPartitionId);
        portInfo.write(s.asSlice(PORT_INFO, PortInfo.LAYOUT.byteSize()));
        u64(s, PROXIMITY_DOMAIN_INFO, proximityDomainInfo);
    }
}
