package dev.parvis.hv.memory;

import dev.parvis.hv.backend.GuestMemoryRegion;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * One child partition's guest-physical address space: GPN to SPN plus access rights, as a two-level
 * table (no boxing on the hypercall path). A partition can only ever address the pages listed here.
 *
 * <p>Two layers, as the TLFS defines GPA overlay pages: the partition's RAM (what MapGpaPages and
 * UnmapGpaPages change, what grants and snapshots reach) and, above it, the hypervisor's overlay
 * pages (hypercall page, SIM and SIEF pages). The table holds what the guest sees at each GPN: an
 * overlay hides the RAM page beneath it (kept aside, untouched) until the overlay is removed. The
 * guest's view ({@link #resolve}, {@link #regions}) includes overlays; the RAM queries
 * ({@link #isMapped}, {@link #access}, {@link #spn}, {@link #mappedGpns}) never see them.
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
    /** Bit 4 marks an overlay entry; the RAM entry it hides is in {@link #hidden}. */
    private static final long OVERLAY = 0x10;
    private static final int SPN_SHIFT = 5;

    /** Told about every RAM page that leaves the map, before it can be reused. */
    public interface PageListener {
        void pageLeaving(long gpn);

        /** The pages at {@code gpns} (ascending) leave together; by default one {@link #pageLeaving} each. */
        default void pagesLeaving(long[] gpns) {
            for (long gpn : gpns) {
                pageLeaving(gpn);
            }
        }
    }

    private final SpaPool pool;
    private final PageListener listener;
    private final long[][] leaves = new long[(int) (MAX_GPN >>> LEAF_BITS)][];
    /** The RAM entry (0: none) under each overlaid GPN; read lock-free by the RAM queries. */
    private final java.util.Map<Long, Long> hidden = new java.util.concurrent.ConcurrentHashMap<>();
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

    /** RAM pages mapped (overlays not counted). */
    public synchronized long mappedPages() {
        return mappedPages;
    }

    /** Maps RAM page {@code spn} at {@code gpn}; the caller has already checked the GPN has no RAM. */
    public synchronized void map(long gpn, long spn, int access) {
        checkGpn(gpn);
        long ram = ramEntry(gpn);
        if (ram == 0) {
            mappedPages++;
        } else {
            listener.pageLeaving(gpn);
        }
        setRam(gpn, (spn << SPN_SHIFT) | PRESENT | (access & ACCESS_MASK));
        generation++;
    }

    /** Removes a RAM mapping and returns the SPN it had, or -1. An overlay at the GPN stays. */
    public synchronized long unmap(long gpn) {
        long ram = ramEntry(gpn);
        if (ram == 0) {
            return -1;
        }
        listener.pageLeaving(gpn);
        setRam(gpn, 0);
        mappedPages--;
        generation++;
        return ram >>> SPN_SHIFT;
    }

    /**
     * Removes every RAM mapping at once (the partition is being deleted) and returns the SPNs they had,
     * in ascending GPN order: the listener hears of all the pages in one call, before they leave.
     * Overlays stay.
     */
    public synchronized long[] unmapAll() {
        long[] gpns = mappedGpns();
        listener.pagesLeaving(gpns);
        long[] spns = new long[gpns.length];
        for (int i = 0; i < gpns.length; i++) {
            spns[i] = ramEntry(gpns[i]) >>> SPN_SHIFT;
            setRam(gpns[i], 0);
        }
        mappedPages = 0;
        generation++;
        return spns;
    }

    /** Lays hypervisor page {@code spn} over {@code gpn} with {@code access}; the GPN must carry no overlay yet. */
    public synchronized void overlay(long gpn, long spn, int access) {
        checkGpn(gpn);
        long[] leaf = leafFor(gpn);
        int i = (int) (gpn & (LEAF_SIZE - 1));
        if ((leaf[i] & OVERLAY) != 0) {
            throw new IllegalStateException("GPN 0x%x already carries an overlay".formatted(gpn));
        }
        hidden.put(gpn, leaf[i]);
        leaf[i] = (spn << SPN_SHIFT) | PRESENT | OVERLAY | (access & ACCESS_MASK);
        generation++;
    }

    /** Removes the overlay at {@code gpn}, uncovering the RAM beneath; returns the overlay's SPN, or -1. */
    public synchronized long removeOverlay(long gpn) {
        long entry = entry(gpn);
        if ((entry & OVERLAY) == 0) {
            return -1;
        }
        // The RAM entry is back in the table before it leaves the side map: lock-free readers see one of them.
        Long ram = hidden.get(gpn);
        leaves[(int) (gpn >>> LEAF_BITS)][(int) (gpn & (LEAF_SIZE - 1))] = ram == null ? 0 : ram;
        hidden.remove(gpn);
        generation++;
        return entry >>> SPN_SHIFT;
    }

    public boolean isOverlaid(long gpn) {
        return (entry(gpn) & OVERLAY) != 0;
    }

    /** Whether the partition has RAM at {@code gpn} (overlaid or not). */
    public boolean isMapped(long gpn) {
        return ramEntry(gpn) != 0;
    }

    /** Rights of the RAM page ({@link GuestMemoryRegion#READ} etc.), or -1 when there is none. */
    public int access(long gpn) {
        long entry = ramEntry(gpn);
        return entry == 0 ? -1 : (int) (entry & ACCESS_MASK);
    }

    /** The RAM page at {@code gpn}, or -1. */
    public long spn(long gpn) {
        long entry = ramEntry(gpn);
        return entry == 0 ? -1 : entry >>> SPN_SHIFT;
    }

    /** Rights the guest has at {@code gpn} (an overlay's, else the RAM page's), or -1 when nothing is there. */
    public int guestAccess(long gpn) {
        long entry = entry(gpn);
        return entry == 0 ? -1 : (int) (entry & ACCESS_MASK);
    }

    /**
     * The host memory the guest sees at {@code [gpa, gpa + length)} (an overlay page where there is one)
     * if it lies in one page that is mapped with every right in {@code access}; null otherwise. This is
     * the kernel's only way into guest memory.
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

    /** Every GPN with RAM, in ascending order. */
    public synchronized long[] mappedGpns() {
        long[] out = new long[(int) mappedPages];
        int n = 0;
        for (long gpn : visibleGpns()) {
            if (ramEntry(gpn) != 0) {
                out[n++] = gpn;
            }
        }
        return out;
    }

    /** Every GPN an overlay covers, in ascending order. */
    public synchronized long[] overlaidGpns() {
        return hidden.keySet().stream().mapToLong(Long::longValue).sorted().toArray();
    }

    /** What the guest sees, as maximal runs of GPN-contiguous, SPN-contiguous pages with equal rights. */
    public synchronized List<GuestMemoryRegion> regions() {
        List<GuestMemoryRegion> regions = new ArrayList<>();
        long runGpn = -1, runSpn = -1, runLen = 0;
        int runAccess = -1;
        for (long gpn : visibleGpns()) {
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

    /** Every GPN with a table entry (RAM, overlay or both), ascending. */
    private long[] visibleGpns() {
        long[] out = new long[(int) mappedPages + hidden.size()];
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
        return java.util.Arrays.copyOf(out, n);
    }

    /** The RAM entry at {@code gpn}, whether or not an overlay hides it; 0 when there is none. */
    private long ramEntry(long gpn) {
        long entry = entry(gpn);
        if ((entry & OVERLAY) == 0) {
            return entry;
        }
        Long ram = hidden.get(gpn);
        return ram == null ? 0 : ram;
    }

    private void setRam(long gpn, long ram) {
        long[] leaf = leafFor(gpn);
        int i = (int) (gpn & (LEAF_SIZE - 1));
        if ((leaf[i] & OVERLAY) != 0) {
            hidden.put(gpn, ram);
        } else {
            leaf[i] = ram;
        }
    }

    private long[] leafFor(long gpn) {
        long[] leaf = leaves[(int) (gpn >>> LEAF_BITS)];
        if (leaf == null) {
            leaf = new long[LEAF_SIZE];
            leaves[(int) (gpn >>> LEAF_BITS)] = leaf;
        }
        return leaf;
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
