package dev.parvis.hv.partition;

/**
 * A partition's lifecycle, in the order HvCallCreate/Initialize/Finalize/DeletePartition drive it.
 * FAILED: the kernel stopped a finalized partition for good because its execution engine failed
 * (see {@link Partition#failureReason()}); it never runs again and waits for DeletePartition.
 */
public enum PartitionState {
    CREATED, INITIALIZED, FINALIZED, FAILED, DELETED
}
