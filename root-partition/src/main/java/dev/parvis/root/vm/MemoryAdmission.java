package dev.parvis.root.vm;

import dev.parvis.vmcore.RootPageView;
import dev.parvis.vmcore.RootPhysicalMemory;

/**
 * Admits a VM start only when the root's free pages, less what other starts in flight have claimed
 * and not yet allocated, cover its RAM and deposits; a refused start touches nothing. Starts
 * allocate through {@link #memory()}, which counts each allocation against the claim of the
 * calling worker thread, so concurrent starts are neither double-counted nor overcommitted.
 */
final class MemoryAdmission {
    /** A claim held while a start allocates; closing it returns what was not allocated. */
    interface Ticket extends AutoCloseable {
        @Override
        void close();
    }

    private final RootPhysicalMemory memory;
    private final RootPhysicalMemory counted;
    private final ThreadLocal<long[]> claimOfThread = new ThreadLocal<>();
    private long outstanding;

    MemoryAdmission(RootPhysicalMemory memory) {
        this.memory = memory;
        this.counted = new Counted();
    }

    /** The root's memory as starts should allocate it. */
    RootPhysicalMemory memory() {
        return counted;
    }

    synchronized Ticket admit(String vmName, long pages) {
        long available = memory.freePages() - outstanding;
        if (pages > available) {
            throw new InsufficientHostMemoryException(vmName, pages, Math.max(0, available));
        }
        outstanding += pages;
        long[] claim = {pages};
        claimOfThread.set(claim);
        return () -> release(claim);
    }

    private synchronized void release(long[] claim) {
        outstanding -= claim[0];
        claim[0] = 0;
        claimOfThread.remove();
    }

    private synchronized long[] allocateCounted(int pageCount) {
        long[] pages = memory.allocate(pageCount);
        long[] claim = claimOfThread.get();
        if (claim != null) {
            long used = Math.min(claim[0], pageCount);
            claim[0] -= used;
            outstanding -= used;
        }
        return pages;
    }

    private final class Counted implements RootPhysicalMemory {
        @Override
        public long totalPages() {
            return memory.totalPages();
        }

        @Override
        public long freePages() {
            return memory.freePages();
        }

        @Override
        public long[] allocate(int pageCount) {
            return allocateCounted(pageCount);
        }

        @Override
        public void free(long[] gpns) {
            memory.free(gpns);
        }

        @Override
        public RootPageView view(long[] gpns) {
            return memory.view(gpns);
        }
    }
}
