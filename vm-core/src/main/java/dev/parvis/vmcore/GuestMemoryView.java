package dev.parvis.vmcore;

import java.lang.foreign.MemorySegment;

/** A revocable window onto a child's pages; accesses after revocation throw IllegalStateException. */
public interface GuestMemoryView extends AutoCloseable {

    long partitionId();

    int pageCount();

    /** Page {@code index} of the view, 4096 bytes. */
    MemorySegment page(int index);

    /** The whole view as one segment when its pages are contiguous in host memory, else null. */
    MemorySegment contiguous();

    boolean isRevoked();

    /** Runs {@code action} once when the kernel revokes the view (not when the owner closes it). */
    void onRevoke(Runnable action);

    @Override
    void close();
}
