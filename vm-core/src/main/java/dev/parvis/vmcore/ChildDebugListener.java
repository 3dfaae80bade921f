package dev.parvis.vmcore;

/** Receives what a child posts with HvCallPostDebugData. Called on the child's VP thread: keep it short. */
@FunctionalInterface
public interface ChildDebugListener {
    void debugData(long partitionId, byte[] data);

    /** The partition was deleted: whatever is kept for it (a partial line) can go. */
    default void partitionGone(long partitionId) {
    }
}
