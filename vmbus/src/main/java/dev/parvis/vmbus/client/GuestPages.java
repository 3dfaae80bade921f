package dev.parvis.vmbus.client;

import java.lang.foreign.MemorySegment;

/** Pages of guest memory the client owns: their guest page numbers and their bytes. */
public interface GuestPages extends AutoCloseable {

    int pageCount();

    /** Guest page number of each page, in order. */
    long[] gpns();

    /** Page {@code index}, 4096 bytes. */
    MemorySegment page(int index);

    /** All pages as one segment when they are contiguous, else null. */
    MemorySegment contiguous();

    /** Returns the pages to the guest's allocator; views the host holds on them are revoked. */
    @Override
    void close();
}
