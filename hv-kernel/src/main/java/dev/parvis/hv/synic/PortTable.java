package dev.parvis.hv.synic;

import dev.parvis.abi.hv.HvStatus;
import java.util.HashMap;
import java.util.Map;

/**
 * Every port and connection in the system. A message or event can travel only along a connection
 * the root made, from the partition that holds the connection to the port it names.
 */
public final class PortTable {
    /** Port and connection ids are 24-bit. */
    public static final int MAX_ID = 0xFF_FFFF;

    private record Key(long partitionId, int id) {}

    private final Map<Key, Port> ports = new HashMap<>();
    /** Read lock-free on every PostMessage and SignalEvent; written under the table's lock. */
    private final Map<Key, Connection> connections = new java.util.concurrent.ConcurrentHashMap<>();

    public synchronized HvStatus createPort(Port port) {
        if (port.portId() < 0 || port.portId() > MAX_ID) {
            return HvStatus.INVALID_PORT_ID;
        }
        Key key = new Key(port.partitionId(), port.portId());
        if (ports.containsKey(key)) {
            return HvStatus.INVALID_PORT_ID;
        }
        ports.put(key, port);
        return HvStatus.SUCCESS;
    }

    /** Deletes a port and every connection bound to it. */
    public synchronized HvStatus deletePort(long partitionId, int portId) {
        Port port = ports.remove(new Key(partitionId, portId));
        if (port == null) {
            return HvStatus.INVALID_PORT_ID;
        }
        connections.values().removeIf(c -> c.port().equals(port));
        return HvStatus.SUCCESS;
    }

    public synchronized HvStatus connect(long connectionPartitionId, int connectionId, long portPartitionId, int portId, int portType) {
        if (connectionId < 0 || connectionId > MAX_ID) {
            return HvStatus.INVALID_CONNECTION_ID;
        }
        Port port = ports.get(new Key(portPartitionId, portId));
        if (port == null) {
            return HvStatus.INVALID_PORT_ID;
        }
        if (port.connectionPartitionId() != connectionPartitionId) {
            return HvStatus.ACCESS_DENIED;
        }
        if (port.type() != portType) {
            return HvStatus.INVALID_PARAMETER;
        }
        Key key = new Key(connectionPartitionId, connectionId);
        if (connections.containsKey(key)) {
            return HvStatus.INVALID_CONNECTION_ID;
        }
        connections.put(key, new Connection(connectionPartitionId, connectionId, port));
        return HvStatus.SUCCESS;
    }

    public synchronized HvStatus disconnect(long connectionPartitionId, int connectionId) {
        return connections.remove(new Key(connectionPartitionId, connectionId)) == null
                ? HvStatus.INVALID_CONNECTION_ID : HvStatus.SUCCESS;
    }

    /** The connection {@code connectionId} of the sending partition, or null. */
    public Connection connection(long partitionId, int connectionId) {
        return connections.get(new Key(partitionId, connectionId));
    }

    /** Removes every port a partition owns, every connection it holds and every connection into its ports. */
    public synchronized void removePartition(long partitionId) {
        ports.values().removeIf(p -> p.partitionId() == partitionId);
        connections.values().removeIf(c -> c.partitionId() == partitionId || c.port().partitionId() == partitionId);
    }

    public synchronized int portCount() {
        return ports.size();
    }
}
