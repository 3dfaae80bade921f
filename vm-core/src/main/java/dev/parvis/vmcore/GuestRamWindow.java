package dev.parvis.vmcore;

import java.lang.foreign.MemorySegment;

/**
 * A device data path's long-lived access to a child's RAM (the buffers of GPA-direct packets):
 * pages are checked and resolved per request, but no grant is opened or closed per request.
 *
 * <p>Safety comes from epochs: every segment {@link #resolve} returns belongs to the window's
 * current epoch, and the epoch ends (its segments die, so a later access throws
 * IllegalStateException) the moment any RAM page of the child leaves its GPA map, before that page
 * can be scrubbed and reused, and when the window closes. An I/O in progress on a segment (an NIO
 * read or write into it) holds the epoch open until it returns, as DMA pins a page. The next
 * {@link #resolve} starts a new epoch.
 */
public interface GuestRamWindow extends AutoCloseable {

    long partitionId();

    /**
     * Host memory of pages {@code gpns[from .. from + count)}, each mapped read-write in the child
     * (overlay pages are refused: the guest would not see what the host writes). Entry {@code i} of
     * the result starts at page {@code gpns[from + i]} and extends over the following entries that
     * are contiguous with it in host memory, so a caller can move a whole run with one copy.
     *
     * @throws GrantRefusedException naming the first page that cannot be resolved
     * @throws IllegalStateException when the window is closed
     */
    MemorySegment[] resolve(long[] gpns, int from, int count);

    /** Ends the current epoch and every later one; idempotent. */
    @Override
    void close();
}
