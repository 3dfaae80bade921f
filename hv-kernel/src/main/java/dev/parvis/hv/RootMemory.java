package dev.parvis.hv;

import dev.parvis.hv.memory.PageStateException;
import dev.parvis.hv.memory.SpaPool;
import dev.parvis.vmcore.RootPageView;
import dev.parvis.vmcore.RootPhysicalMemory;

/** The root's physical memory: its identity-mapped share of the pool. */
final class RootMemory implements RootPhysicalMemory {
    private final SpaPool pool;

    RootMemory(SpaPool pool) {
        this.pool = pool;
    }

    @Override
    public long totalPages() {
        return pool.pageCount();
    }

    @Override
    public long freePages() {
        return pool.statistics().rootFree();
    }

    @Override
    public long[] allocate(int pageCount) {
        return pool.allocateRoot(pageCount);
    }

    @Override
    public void free(long[] gpns) {
        try {
            pool.freeRoot(gpns);
        } catch (PageStateException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    @Override
    public RootPageView view(long[] gpns) {
        try {
            return pool.openRootView(gpns);
        } catch (PageStateException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
