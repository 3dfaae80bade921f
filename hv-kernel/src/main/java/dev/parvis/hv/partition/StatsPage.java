package dev.parvis.hv.partition;

import dev.parvis.abi.hv.HvStats;
import dev.parvis.hv.memory.SpaPool;
import dev.parvis.hv.vp.VirtualProcessor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A partition's statistics page (HvCallMapStatsPage): one root page the kernel writes the
 * partition's counters into, at the {@link HvStats} indices, and the root reads without a call.
 * Hyper-V updates its counters in place as they change; Parvis writes them when the map is made and
 * at the end of each of the partition's run slices (where its CPU time is charged), so a reading is
 * at most one slice old and is exact once the partition has stopped running. Writers (LP threads of
 * the partition's VPs, the mapping call) are serialized; the root reads each u64 whole, and may see
 * counters from two neighbouring refreshes, as a reader of Hyper-V's page may.
 */
public final class StatsPage {
    private final long spn;
    private final MemorySegment page;
    private final SpaPool pool;
    private boolean closed;

    public StatsPage(long spn, MemorySegment page, SpaPool pool) {
        this.spn = spn;
        this.page = page;
        this.pool = pool;
    }

    /** The page's frame number in the root's physical address space (the call's map_location). */
    public long spn() {
        return spn;
    }

    /** Writes {@code p}'s current counters into the page. */
    public synchronized void refresh(Partition p) {
        if (closed || pool.state(spn) != dev.parvis.hv.memory.PageState.ROOT_ALLOCATED) {
            return; // unmapped, or the root gave its stats page away: it is no longer the kernel's to write
        }
        long hypercalls = 0;
        long exits = 0;
        for (VirtualProcessor vp : p.vps()) {
            hypercalls += vp.hypercallCount();
            exits += vp.exitCount();
        }
        put(HvStats.PARTITION_VIRTUAL_PROCESSORS, p.vpCount());
        put(HvStats.PARTITION_DEPOSITED_PAGES, pool.depositedTo(p.id()));
        put(HvStats.PARTITION_GPA_PAGES, p.gpaMap().mappedPages());
        put(HvStats.PARTITION_PARTITION_ID, p.id());
        put(HvStats.PARVIS_CPU_NANOS, p.cpuNanos().get());
        put(HvStats.PARVIS_HYPERCALLS, hypercalls);
        put(HvStats.PARVIS_EXITS, exits);
        put(HvStats.PARVIS_INTERCEPTS, p.intercepts().get());
    }

    /** No refresh writes into the page after this returns: it is about to go back to the root's free pages. */
    public synchronized void close() {
        closed = true;
    }

    private void put(int index, long value) {
        page.setAtIndex(ValueLayout.JAVA_LONG, index, value);
    }
}
