package dev.parvis.hv.partition;

/** A partition's lifecycle, in the order HvCallCreate/Initialize/Finalize/DeletePartition drive it. */
public enum PartitionState {
    CREATED, INITIALIZED, FINALIZED, DELETED
}
