package dev.parvis.hv.backend.kvm;

import dev.parvis.hv.backend.GuestMemoryRegion;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.TreeMap;

/**
 * The four-level page tables the backend builds so that linear address = guest-physical address
 * for exactly the pages of the partition's GPA map, with the map's rights: a page is present when
 * it is readable, writable when the map says so, and not executable (NX) unless it is. Pages not in
 * the map are not present, so any access to them, whatever instruction makes it, faults precisely
 * (#PF) before it touches memory. A 2 MiB run of pages with equal rights becomes one large page.
 *
 * <p>Besides the guest's space ({@code [0, GUEST_SPACE_END)}) the tables map the backend's own
 * {@link Mapping}s. The tables themselves are mapped nowhere: no linear address reaches them.
 * Accessed and dirty bits are preset, so the processor never writes to the tables.
 */
final class IdentityMap {
    /** The guest-physical space the kernel hands out: GpaMap.MAX_GPN pages (64 GiB). */
    static final long GUEST_SPACE_END = 1L << 36;
    static final long PAGE = 4096;
    static final long LARGE = 2L << 20;
    static final long P = 1, RW = 2, US = 4, A = 1 << 5, D = 1 << 6, PS = 1 << 7, NX = 1L << 63;
    private static final long TABLE = P | RW | US | A;
    private static final int ENTRIES = 512;

    /** One backend page at a fixed linear (= physical) address with explicit entry flags. */
    record Mapping(long address, long flags) {}

    private IdentityMap() {}

    /** Leaf flags for a guest page with {@code access} rights ({@link GuestMemoryRegion#READ} ...), 0 if not present. */
    static long leafFlags(int access, boolean user) {
        if ((access & GuestMemoryRegion.READ) == 0) {
            return 0;
        }
        long flags = P | A | D | (user ? US : 0);
        if ((access & GuestMemoryRegion.WRITE) != 0) {
            flags |= RW;
        }
        if ((access & GuestMemoryRegion.EXECUTE) == 0) {
            flags |= NX;
        }
        return flags;
    }

    /** The leaf entries of each 2 MiB chunk that holds a present page, by chunk index. */
    static TreeMap<Long, long[]> leaves(List<GuestMemoryRegion> regions, List<Mapping> extra, boolean user) {
        TreeMap<Long, long[]> chunks = new TreeMap<>();
        for (GuestMemoryRegion r : regions) {
            if (r.end() > GUEST_SPACE_END) {
                throw new IllegalArgumentException("region 0x%x-0x%x beyond the guest space".formatted(r.gpa(), r.end()));
            }
            long flags = leafFlags(r.access(), user);
            if (flags == 0) {
                continue;
            }
            for (long gpa = r.gpa(); gpa < r.end(); gpa += PAGE) {
                chunks.computeIfAbsent(gpa / LARGE, k -> new long[ENTRIES])[(int) ((gpa % LARGE) / PAGE)] = gpa | flags;
            }
        }
        for (Mapping m : extra) {
            chunks.computeIfAbsent(m.address() / LARGE, k -> new long[ENTRIES])[(int) ((m.address() % LARGE) / PAGE)] = m.address() | m.flags();
        }
        return chunks;
    }

    /** True if all 512 pages of a chunk are present with equal flags (then it is one large page). */
    static boolean uniform(long[] leaf) {
        long flags = leaf[0] & ~0x000F_FFFF_FFFF_F000L;
        if ((flags & P) == 0) {
            return false;
        }
        for (int i = 1; i < ENTRIES; i++) {
            if ((leaf[i] & ~0x000F_FFFF_FFFF_F000L) != flags) {
                return false;
            }
        }
        return true;
    }

    /** How many table pages {@link #build} needs for these chunks. */
    static int tablePages(TreeMap<Long, long[]> chunks) {
        int pds = 0;
        long lastGib = -1;
        int pts = 0;
        for (var e : chunks.entrySet()) {
            long gib = e.getKey() / ENTRIES;
            if (gib != lastGib) {
                pds++;
                lastGib = gib;
            }
            if (!uniform(e.getValue())) {
                pts++;
            }
        }
        return 2 + pds + pts;
    }

    /**
     * Writes the tables into {@code tables} (whose first byte is at physical address {@code tablesGpa})
     * and returns the physical address of the PML4. Everything lies below 512 GiB, so one PDPT suffices.
     */
    static long build(TreeMap<Long, long[]> chunks, MemorySegment tables, long tablesGpa) {
        if (tables.byteSize() < tablePages(chunks) * PAGE) {
            throw new IllegalArgumentException("table area too small");
        }
        tables.asSlice(0, tablePages(chunks) * PAGE).fill((byte) 0);
        int next = 2;
        set(tables, 0, 0, (tablesGpa + PAGE) | TABLE);
        long pdOffset = -1;
        long lastGib = -1;
        for (var e : chunks.entrySet()) {
            long chunk = e.getKey();
            long gib = chunk / ENTRIES;
            if (gib >= ENTRIES) {
                throw new IllegalArgumentException("address beyond 512 GiB in the identity map");
            }
            if (gib != lastGib) {
                pdOffset = next++ * PAGE;
                set(tables, PAGE, gib, (tablesGpa + pdOffset) | TABLE);
                lastGib = gib;
            }
            long[] leaf = e.getValue();
            if (uniform(leaf)) {
                set(tables, pdOffset, chunk % ENTRIES, (chunk * LARGE) | (leaf[0] & ~0x000F_FFFF_FFFF_F000L) | PS);
                continue;
            }
            long ptOffset = next++ * PAGE;
            set(tables, pdOffset, chunk % ENTRIES, (tablesGpa + ptOffset) | TABLE);
            for (int i = 0; i < ENTRIES; i++) {
                set(tables, ptOffset, i, leaf[i]);
            }
        }
        return tablesGpa;
    }

    private static void set(MemorySegment tables, long tableOffset, long index, long entry) {
        tables.set(ValueLayout.JAVA_LONG_UNALIGNED, tableOffset + index * 8, entry);
    }
}
