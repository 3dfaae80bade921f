package dev.parvis.hv.partition;

import dev.parvis.abi.hv.HvConstants;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Every partition by id. Ids are never reused while the hypervisor runs. */
public final class PartitionTable {
    public static final long ROOT_ID = 1;
    public static final int MAX_CHILDREN = 1024;

    private final ConcurrentHashMap<Long, Partition> partitions = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(ROOT_ID + 1);

    public long allocateId() {
        return nextId.getAndIncrement();
    }

    public void add(Partition partition) {
        partitions.put(partition.id(), partition);
    }

    public void remove(long id) {
        partitions.remove(id);
    }

    /** The partition {@code id} names from {@code caller}'s point of view (HV_PARTITION_ID_SELF = caller). */
    public Partition resolve(Partition caller, long id) {
        return id == HvConstants.PARTITION_ID_SELF ? caller : partitions.get(id);
    }

    public Partition get(long id) {
        return partitions.get(id);
    }

    /** The child partition {@code id} unless it is unknown, the root, or deleted; else null. */
    public Partition liveChild(long id) {
        Partition p = partitions.get(id);
        return p == null || p.isRoot() || p.state() == PartitionState.DELETED ? null : p;
    }

    public Collection<Partition> all() {
        return List.copyOf(partitions.values());
    }

    public long childCount() {
        return partitions.values().stream().filter(p -> !p.isRoot() && p.state() != PartitionState.DELETED).count();
    }
}
