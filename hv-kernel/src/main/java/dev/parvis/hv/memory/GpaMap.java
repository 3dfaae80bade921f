package dev.parvis.hv.memory;

import dev.parvis.hv.backend.GuestMemoryRegion;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * One child partition's guest-physical address space: GPN to SPN plus access rights, as a two-level
 * table (no boxing on the hypercall path). A partition can only ever address the pages listed here.
 *
 * <p>Thread-safety: mutations are synchronized and bump {@link #generation()}; engines re-read the
 * region list when the generation they applied is stale. Lookups read a volatile snapshot of the
 * leaf arrays and may race benignly with a concurrent mapping change.
 */
public final class GpaMap {
    /** Largest guest-physical address space: 64 GiB. */
    public static final long MAX_GPN = 1L << 24;
    private static final int LEAF_BITS = 9;
    private static final int LEAF_SIZE = 1 << LEAF_BITS;
    private static final long ACCESS_MASK = 0x7;
    /** Bit 3 marks an entry present (rights may be zero: mapped with no access). */
    private static final long PRESENT = 0x8;
    private static final int SPN_SHIFT = 4;

    /** Told about every page that leaves the map, before it can be reused. */
    public interface PageListener {
        void pageLeaving(long gpn);
    }

    private final SpaPool pool;
    private final PageListener listener;
    private final long[][] leaves = new long[(int) (MAX_GPN >>> LEAF_BITS)][];
    private volatile long generation;
    private long mappedPages;

    public GpaMap(SpaPool pool) {
        this(pool, gpn -> { });
    }

    public GpaMap(SpaPool pool, PageListener listener) {
        this.pool = pool;
        this.listener = listener;
    }

    public long generation() {
        return generation;
    }

    public synchronized long mappedPages() {
        return mappedPages;
    }

    /** Maps {@code gpn} to {@code spn}; the caller has already checked the GPN is unmapped. */
    public synchronized void map(long gpn, long spn, int access) {
        checkGpn(gpn);
        long[] leaf = leaves[(int) (gpn >>> LEAF_BITS)];
        if (leaf == null) {
            leaf = new long[LEAF_SIZE];
            leaves[(int) (gpn >>> LEAF_BITS)] = leaf;
        }
        if (leaf[(int) (gpn & (LEAF_SIZE - 1))] == 0) {
            mappedPages++;
        } else {
            listener.pageLeaving(gpn);
        }
        leaf[(int) (gpn & (LEAF_SIZE - 1))] = (spn << SPN_SHIFT) | PRESENT | (access & ACCESS_MASK);
        generation++;
    }

    /** Removes a mapping and returns the SPN it had, or -1. */
    public synchronized long unmap(long gpn) {
        long entry = entry(gpn);
        if (entry == 0) {
            return -1;
        }
        listener.pageLeaving(gpn);
        leaves[(int) (gpn >>> LEAF_BITS)][(int) (gpn & (LEAF_SIZE - 1))] = 0;
        mappedPages--;
        generation++;
        return entry >>> SPN_SHIFT;
    }

    public boolean isMapped(long gpn) {
        return entry(gpn) != 0;
    }

    /** Rights of a mapped page ({@link GuestMemoryRegion#READ} etc.), or -1 when unmapped. */
    public int access(long gpn) {
        long entry = entry(gpn);
        return entry == 0 ? -1 : (int) (entry & ACCESS_MASK);
    }

    public long spn(long gpn) {
        long entry = entry(gpn);
        return entry == 0 ? -1 : entry >>> SPN_SHIFT;
    }

    /**
     * The host memory behind {@code [gpa, gpa + length)} if it lies in one page that is mapped with
     * every right in {@code access}; null otherwise. This is the kernel's only way into guest memory.
     */
    public MemorySegment resolve(long gpa, long length, int access) {
        if (gpa < 0 || length < 0 || (gpa & 0xFFF) + length > SpaPool.PAGE_SIZE) {
            return null;
        }
        long entry = entry(gpa >>> 12);
        if (entry == 0 || (entry & access) != access) {
            return null;
        }
        return pool.pages(entry >>> SPN_SHIFT, 1).asSlice(gpa & 0xFFF, length);
    }

    /** Every mapped GPN in ascending order. */
    public synchronized long[] mappedGpns() {
        long[] out = new long[(int) mappedPages];
        int n = 0;
        for (int top = 0; top < leaves.length; top++) {
            long[] leaf = leaves[top];
            if (leaf == null) {
                continue;
            }
            for (int i = 0; i < LEAF_SIZE; i++) {
                if (leaf[i] != 0) {
                    out[n++] = ((long) top << LEAF_BITS) | i;
                }
            }
        }
        return out;
    }

    /** The map as maximal runs of GPN-contiguous, SPN-contiguous pages with equal rights. */
    public synchronized List<GuestMemoryRegion> regions() {
        List<GuestMemoryRegion> regions = new ArrayList<>();
        long runGpn = -1, runSpn = -1, runLen = 0;
        int runAccess = -1;
        for (long gpn : mappedGpns()) {
            long entry = entry(gpn);
            long spn = entry >>> SPN_SHIFT;
            int access = (int) (entry & ACCESS_MASK);
            if (runLen > 0 && gpn == runGpn + runLen && spn == runSpn + runLen && access == runAccess) {
                runLen++;
                continue;
            }
            if (runLen > 0) {
                regions.add(new GuestMemoryRegion(runGpn << 12, pool.pages(runSpn, runLen), runAccess));
            }
            runGpn = gpn;
            runSpn = spn;
            runLen = 1;
            runAccess = access;
        }
        if (runLen > 0) {
            regions.add(new GuestMemoryRegion(runGpn << 12, pool.pages(runSpn, runLen), runAccess));
        }
        return regions;
    }

    private long entry(long gpn) {
        if (gpn < 0 || gpn >= MAX_GPN) {
            return 0;
        }
        // The volatile read orders this lookup after the mutation that published the leaf.
        if (generation < 0) {
            return 0;
        }
        long[] leaf = leaves[(int) (gpn >>> LEAF_BITS)];
        return leaf == null ? 0 : leaf[(int) (gpn & (LEAF_SIZE - 1))];
    }

    private static void checkGpn(long gpn) {
        if (gpn < 0 || gpn >= MAX_GPN) {
            throw new IllegalArgumentException("GPN 0x%x outside the supported space".formatted(gpn));
        }
    }
}
