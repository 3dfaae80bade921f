package dev.parvis.hv.synic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.parvis.abi.hv.HvPortType;
import dev.parvis.abi.hv.HvStatus;
import org.junit.jupiter.api.Test;

class PortTableTest {
    private final PortTable table = new PortTable();

    @Test
    void onlyTheNamedPartitionMayConnectToAPort() {
        table.createPort(new Port(1, 10, HvPortType.MESSAGE, 0, 1, 0, 0, 2));
        assertEquals(HvStatus.ACCESS_DENIED, table.connect(3, 5, 1, 10, HvPortType.MESSAGE));
        assertEquals(HvStatus.SUCCESS, table.connect(2, 5, 1, 10, HvPortType.MESSAGE));
        assertNotNull(table.connection(2, 5));
        assertNull(table.connection(3, 5), "connection ids are per sending partition");
    }

    @Test
    void connectionIdsAreTwentyFourBitAndUnique() {
        table.createPort(new Port(1, 10, HvPortType.MESSAGE, 0, 1, 0, 0, 2));
        assertEquals(HvStatus.INVALID_CONNECTION_ID, table.connect(2, 0x100_0000, 1, 10, HvPortType.MESSAGE));
        assertEquals(HvStatus.SUCCESS, table.connect(2, 7, 1, 10, HvPortType.MESSAGE));
        assertEquals(HvStatus.INVALID_CONNECTION_ID, table.connect(2, 7, 1, 10, HvPortType.MESSAGE));
        assertEquals(HvStatus.INVALID_PARAMETER, table.connect(2, 8, 1, 10, HvPortType.EVENT), "type mismatch");
    }

    @Test
    void deletingAPartitionRemovesItsPortsAndConnections() {
        table.createPort(new Port(1, 10, HvPortType.MESSAGE, 0, 1, 0, 0, 2));
        table.createPort(new Port(2, 11, HvPortType.MESSAGE, 0, 1, 0, 0, 1));
        table.connect(2, 5, 1, 10, HvPortType.MESSAGE);
        table.connect(1, 6, 2, 11, HvPortType.MESSAGE);
        table.removePartition(2);
        assertNull(table.connection(2, 5));
        assertNull(table.connection(1, 6));
        assertEquals(1, table.portCount());
    }
}
