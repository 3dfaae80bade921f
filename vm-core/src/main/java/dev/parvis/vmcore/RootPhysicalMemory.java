package dev.parvis.vmcore;

/**
 * The root partition's own physical memory. Root GPAs are identity-mapped onto the hypervisor's
 * page pool, as in Hyper-V's root. Pages given to a child (MapGpaPages) or deposited with the
 * hypervisor (DepositMemory) leave the root: every open view of them is revoked, and the root
 * reaches a child's memory afterwards only through hypercalls or grants.
 */
public interface RootPhysicalMemory {

    /** Pages in the whole pool. */
    long totalPages();

    /** Pages the root owns and has not allocated. */
    long freePages();

    /**
     * Allocates root-owned pages, contiguous when possible, zero-filled.
     *
     * @throws InsufficientMemoryException when the pool cannot supply them
     */
    long[] allocate(int pageCount);

    /** Returns root-owned pages to the free set. */
    void free(long[] gpns);

    /**
     * Opens a view of root-owned pages, concatenated in the given order. The view is revoked when it
     * is closed or when any of its pages leaves the root.
     */
    RootPageView view(long[] gpns);
}
