package dev.parvis.root.vm;

import dev.parvis.vmcore.RootPhysicalMemory;

/**
 * Admits a VM start only when the root's free pages, less what other starts in flight have
 * claimed, cover its RAM and deposits; a refused start touches nothing.
 */
final class MemoryAdmission {
    /** A claim held while a start allocates; closing it hands the count back (the pages are allocated by then). */
    interface Ticket extends AutoCloseable {
        @Override
        void close();
    }

    private final RootPhysicalMemory memory;
    private long claimed;

    MemoryAdmission(RootPhysicalMemory memory) {
        this.memory = memory;
    }

    synchronized Ticket admit(String vmName, long pages) {
        long available = memory.freePages() - claimed;
        if (pages > available) {
            throw new InsufficientHostMemoryException(vmName, pages, Math.max(0, available));
        }
        claimed += pages;
        return () -> release(pages);
    }

    private synchronized void release(long pages) {
        claimed -= pages;
    }
}
