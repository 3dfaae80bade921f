package dev.parvis.hv.synic;

/**
 * A port: the receiving end of inter-partition communication, owned by {@code partitionId}, aimed
 * at one VP's SINT, and connectable only from {@code connectionPartitionId}.
 */
public record Port(long partitionId, int portId, int type, int targetVp, int targetSint,
                   int baseFlagNumber, int flagCount, long connectionPartitionId) {}
