package dev.parvis.hv.memory;

import dev.parvis.hv.backend.GuestMemoryRegion;
import dev.parvis.vmcore.GrantRefusedException;
import dev.parvis.vmcore.GuestMemoryGrants;
import dev.parvis.vmcore.GuestMemoryView;
import dev.parvis.vmcore.GuestRamWindow;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The root's open windows onto children's pages. A grant is checked page by page against the
 * child's GPA map when it opens, and revoked the moment any of its pages leaves the child's map
 * (GpaMap reports every unmap and remap here), before that page can be scrubbed and reused.
 *
 * <p>Grants reach the child's RAM only, never an overlay page: a read-write grant (a GPADL) naming a
 * GPN an overlay covers is refused; a snapshot reads the RAM beneath overlays (the guest's own page,
 * which the overlay leaves untouched; the overlay pages are saved through HvCallGetVpState). An
 * overlay laid over a page after its grant opened does not revoke it: the grant keeps reaching the
 * RAM page, which the guest will see again once the overlay moves away.
 */
public final class GrantTable implements GuestMemoryGrants {
    private static final Logger LOG = LoggerFactory.getLogger(GrantTable.class);
    private static final int NEEDED = GuestMemoryRegion.READ | GuestMemoryRegion.WRITE;

    private final SpaPool pool;
    private final LongFunction<GpaMap> maps;
    private final List<Grant> open = new ArrayList<>();
    private final List<RamWindow> windows = new ArrayList<>();

    private final java.util.function.LongPredicate suspended;

    /**
     * @param maps      the GPA map of a live child partition, or null
     * @param suspended whether a partition is suspended (snapshots are only taken of those)
     */
    public GrantTable(SpaPool pool, LongFunction<GpaMap> maps, java.util.function.LongPredicate suspended) {
        this.pool = pool;
        this.maps = maps;
        this.suspended = suspended;
    }

    @Override
    public GuestMemoryView open(long partitionId, long[] gpns) {
        return open(partitionId, gpns, NEEDED, false);
    }

    @Override
    public GuestMemoryView openSnapshot(long partitionId, long[] gpns) {
        if (!suspended.test(partitionId)) {
            throw new GrantRefusedException("partition %d is not suspended".formatted(partitionId));
        }
        return open(partitionId, gpns, 0, true);
    }

    @Override
    public GuestRamWindow openWindow(long partitionId) {
        GpaMap map = liveMap(partitionId);
        RamWindow window = new RamWindow(pool, partitionId, map, this::forgetWindow);
        synchronized (this) {
            windows.add(window);
        }
        return window;
    }

    private GpaMap liveMap(long partitionId) {
        GpaMap map = maps.apply(partitionId);
        if (map == null) {
            throw new GrantRefusedException("no child partition " + partitionId);
        }
        return map;
    }

    /**
     * Checks the pages and registers the grant under the map's lock, the lock every unmap holds
     * while it reports the leaving page here: so a page can never leave between its check and the
     * grant's registration (a leaving page always finds the grants that cover it).
     */
    private GuestMemoryView open(long partitionId, long[] gpns, int needed, boolean readOnly) {
        GpaMap map = liveMap(partitionId);
        synchronized (map) {
            synchronized (this) {
                return openLocked(map, partitionId, gpns, needed, readOnly);
            }
        }
    }

    private GuestMemoryView openLocked(GpaMap map, long partitionId, long[] gpns, int needed, boolean readOnly) {
        if (gpns.length == 0 || gpns.length > GpaMap.MAX_GPN) {
            throw new GrantRefusedException("a grant needs 1 or more pages");
        }
        long[] spns = new long[gpns.length];
        for (int i = 0; i < gpns.length; i++) {
            if (!readOnly && map.isOverlaid(gpns[i])) {
                // The guest sees a hypervisor page there, not the RAM a grant would reach: no channel
                // may be built on what the two sides would see differently.
                throw new GrantRefusedException("partition %d GPN 0x%x is covered by an overlay page".formatted(partitionId, gpns[i]));
            }
            int access = map.access(gpns[i]);
            if (access < 0 || (access & needed) != needed) {
                throw new GrantRefusedException("partition %d GPN 0x%x is not mapped %s".formatted(partitionId, gpns[i],
                        needed == 0 ? "" : "read-write"));
            }
            spns[i] = map.spn(gpns[i]);
        }
        Grant grant = new Grant(partitionId, gpns, spns, readOnly);
        open.add(grant);
        return grant;
    }

    /**
     * Called by a GPA map, holding its lock, when {@code gpn} of {@code partitionId} is unmapped or
     * remapped: revokes the grants that cover it and ends the epoch of every window onto the partition.
     */
    public void pageLeaving(long partitionId, long gpn) {
        pagesLeaving(partitionId, new long[] {gpn});
    }

    /**
     * As {@link #pageLeaving} for many pages of one partition at once ({@code sortedGpns} ascending):
     * each grant is checked against the whole list and each window's epoch ends once.
     */
    public void pagesLeaving(long partitionId, long[] sortedGpns) {
        List<Grant> revoke = new ArrayList<>();
        List<RamWindow> affected = new ArrayList<>();
        synchronized (this) {
            for (Grant g : open) {
                if (g.partitionId == partitionId && g.coversAny(sortedGpns)) {
                    revoke.add(g);
                }
            }
            for (RamWindow w : windows) {
                if (w.partitionId() == partitionId) {
                    affected.add(w);
                }
            }
        }
        for (Grant g : revoke) {
            LOG.debug("partition {}: {} page(s) left the partition from GPN 0x{}: grant revoked", partitionId,
                    sortedGpns.length, sortedGpns.length == 0 ? "-" : Long.toHexString(sortedGpns[0]));
            g.revoke();
        }
        for (RamWindow w : affected) {
            w.endEpoch();
        }
    }

    /** What a partition's GPA map tells this table when its pages leave. */
    public GpaMap.PageListener listenerFor(long partitionId) {
        return new GpaMap.PageListener() {
            @Override
            public void pageLeaving(long gpn) {
                GrantTable.this.pageLeaving(partitionId, gpn);
            }

            @Override
            public void pagesLeaving(long[] gpns) {
                GrantTable.this.pagesLeaving(partitionId, gpns);
            }
        };
    }

    private synchronized void forgetWindow(RamWindow window) {
        windows.remove(window);
    }

    public synchronized int openCount() {
        return open.size();
    }

    private synchronized void forget(Grant g) {
        open.remove(g);
    }

    private final class Grant implements GuestMemoryView {
        private final long partitionId;
        private final long[] sortedGpns;
        private final Arena arena = Arena.ofShared();
        private final MemorySegment[] pages;
        private final MemorySegment contiguous;
        private final List<Runnable> onRevoke = new ArrayList<>();

        Grant(long partitionId, long[] gpns, long[] spns, boolean readOnly) {
            this.partitionId = partitionId;
            this.sortedGpns = gpns.clone();
            Arrays.sort(sortedGpns);
            this.pages = new MemorySegment[spns.length];
            boolean adjacent = true;
            for (int i = 0; i < spns.length; i++) {
                MemorySegment page = pool.pages(spns[i], 1).reinterpret(arena, null);
                pages[i] = readOnly ? page.asReadOnly() : page;
                adjacent &= i == 0 || spns[i] == spns[i - 1] + 1;
            }
            MemorySegment all = adjacent ? pool.pages(spns[0], spns.length).reinterpret(arena, null) : null;
            this.contiguous = all != null && readOnly ? all.asReadOnly() : all;
        }

        /** Whether any of {@code leaving} (ascending) is one of this grant's pages. */
        boolean coversAny(long[] leaving) {
            for (long gpn : sortedGpns) {
                if (Arrays.binarySearch(leaving, gpn) >= 0) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public long partitionId() {
            return partitionId;
        }

        @Override
        public int pageCount() {
            return pages.length;
        }

        @Override
        public MemorySegment page(int index) {
            return pages[index];
        }

        @Override
        public MemorySegment contiguous() {
            return contiguous;
        }

        @Override
        public boolean isRevoked() {
            return !arena.scope().isAlive();
        }

        @Override
        public synchronized void onRevoke(Runnable action) {
            onRevoke.add(action);
        }

        void revoke() {
            List<Runnable> actions;
            synchronized (this) {
                actions = List.copyOf(onRevoke);
            }
            close();
            for (Runnable action : actions) {
                try {
                    action.run();
                } catch (RuntimeException e) {
                    LOG.warn("revocation callback failed", e);
                }
            }
        }

        @Override
        public void close() {
            synchronized (GrantTable.this) {
                if (arena.scope().isAlive()) {
                    arena.close();
                }
                forget(this);
            }
        }
    }
}
