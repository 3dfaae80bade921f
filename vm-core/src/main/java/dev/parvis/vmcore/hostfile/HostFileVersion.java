package dev.parvis.vmcore.hostfile;

/**
 * Which file an {@code O_PATH} handle holds (device and inode) in which version (size and status
 * change time). Any write, truncation, rename over, chmod or timestamp change sets the ctime to the
 * kernel's clock, and no unprivileged caller can set it back, so a file whose version is unchanged
 * still holds the bytes read at that version, except for a change within the clock's coarse tick
 * of that reading ({@link #settledBefore}).
 */
record HostFileVersion(int deviceMajor, int deviceMinor, long inode, long size, long changedSeconds, int changedNanos) {
    /** A file system that reports no inode or ctime: never taken as unchanged. */
    static final HostFileVersion UNKNOWN = new HostFileVersion(-1, -1, -1, -1, Long.MIN_VALUE, 0);

    boolean known() {
        return !equals(UNKNOWN);
    }

    /**
     * Whether the last change lies at least a second before {@code epochMillis}: ctime is kept at
     * the kernel's coarse clock (a jiffy, up to 10 ms), so a write landing in the same tick as a
     * reading, just after it, can leave the version as it was; a second covers any tick.
     */
    boolean settledBefore(long epochMillis) {
        return known() && changedSeconds < epochMillis / 1000 - 1;
    }
}
