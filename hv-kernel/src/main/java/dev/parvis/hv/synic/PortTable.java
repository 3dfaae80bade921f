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
    /**
     * A direct-mapped cache in front of {@link #connections} for the hypercall path (a guest signals
     * the same few connections over and over): immutable entries, valid while {@link #version} is the
     * one they were filled at; every change to the table bumps it.
     */
    private record Cached(long partitionId, int id, long version, Connection connection) {}
    private final Cached[] cache = new Cached[64];
    private volatile long version;

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
        version++;
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
        version++;
        return HvStatus.SUCCESS;
    }

    public synchronized HvStatus disconnect(long connectionPartitionId, int connectionId) {
        boolean removed = connections.remove(new Key(connectionPartitionId, connectionId)) != null;
        version++;
        return removed ? HvStatus.SUCCESS : HvStatus.INVALID_CONNECTION_ID;
    }

    /** The connection {@code connectionId} of the sending partition, or null. */
    public Connection connection(long partitionId, int connectionId) {
        long v = version;
        int slot = (int) (connectionId ^ partitionId) & (cache.length - 1);
        Cached c = cache[slot];
        if (c != null && c.version == v && c.id == connectionId && c.partitionId == partitionId) {
            return c.connection;
        }
        Connection found = connections.get(new Key(partitionId, connectionId));
        cache[slot] = new Cached(partitionId, connectionId, v, found);
        return found;
    }

    /** Removes every port a partition owns, every connection it holds and every connection into its ports. */
    public synchronized void removePartition(long partitionId) {
        ports.values().removeIf(p -> p.partitionId() == partitionId);
        connections.values().removeIf(c -> c.partitionId() == partitionId || c.port().partitionId() == partitionId);
        version++;
    }

    public synchronized int portCount() {
        return ports.size();
    }
}
