package dev.parvis.hv.backend;

import java.lang.foreign.MemorySegment;

/**
 * A run of guest-physical pages backed by one contiguous host segment.
 *
 * @param gpa    first guest-physical address, page aligned
 * @param host   backing memory, a multiple of 4096 bytes, owned by the kernel's page pool
 * @param access bit set of {@link #READ}, {@link #WRITE}, {@link #EXECUTE}
 */
public record GuestMemoryRegion(long gpa, MemorySegment host, int access) {
    public static final int READ = 1;
    public static final int WRITE = 2;
    public static final int EXECUTE = 4;
    public static final long PAGE_SIZE = 4096;

    public GuestMemoryRegion {
        if ((gpa & (PAGE_SIZE - 1)) != 0 || host.byteSize() == 0 || (host.byteSize() & (PAGE_SIZE - 1)) != 0) {
            throw new IllegalArgumentException("region not page aligned: gpa=0x%x size=%d".formatted(gpa, host.byteSize()));
        }
        if ((access & ~(READ | WRITE | EXECUTE)) != 0) {
            throw new IllegalArgumentException("bad access bits " + access);
        }
    }

    public long size() {
        return host.byteSize();
    }

    public long end() {
        return gpa + host.byteSize();
    }
}
