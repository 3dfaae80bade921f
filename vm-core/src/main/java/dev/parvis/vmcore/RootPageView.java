package dev.parvis.vmcore;

import java.lang.foreign.MemorySegment;

/** A revocable window onto root-owned pages; accesses after revocation throw IllegalStateException. */
public interface RootPageView extends AutoCloseable {

    /** Page {@code index} of the view (4096 bytes). */
    MemorySegment page(int index);

    int pageCount();

    /** Copies {@code bytes} into the view starting at byte {@code offset}, crossing pages as needed. */
    void write(long offset, byte[] bytes, int from, int length);

    boolean isRevoked();

    @Override
    void close();
}
