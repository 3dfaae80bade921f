package dev.parvis.vmcore;

/**
 * Access for the root to pages a child named (a GPADL). The kernel checks every page against the
 * child's GPA map and hands out a revocable view; the view dies when the root closes it or when the
 * child loses a page of it (unmapped, partition deleted), so a stale access fails loudly.
 */
public interface GuestMemoryGrants {

    /**
     * Opens a view of {@code gpns} of partition {@code partitionId}, in order. Every page must be
     * mapped in the child with read and write rights.
     *
     * @throws GrantRefusedException naming the first page that cannot be granted
     */
    GuestMemoryView open(long partitionId, long[] gpns);

    /**
     * Opens a read-only view of any mapped pages of a suspended partition (partition property
     * SUSPEND = 1), for saving its state. Writing through the view fails.
     *
     * @throws GrantRefusedException when the partition is not suspended or a page is not mapped
     */
    GuestMemoryView openSnapshot(long partitionId, long[] gpns);

    /**
     * Opens a window onto the RAM of partition {@code partitionId} for a device data path (GPA-direct
     * buffers): pages are resolved per request without a grant per request, and revoked by epoch
     * ({@link GuestRamWindow}).
     *
     * @throws GrantRefusedException when there is no such child
     */
    GuestRamWindow openWindow(long partitionId);
}
