package dev.parvis.root.vm;

import dev.parvis.abi.hv.HvStats;
import dev.parvis.vmcore.HypercallFailedException;
import dev.parvis.vmcore.PartitionStatistics;
import dev.parvis.vmcore.RootHypercalls;
import dev.parvis.vmcore.RootPageView;
import dev.parvis.vmcore.RootPhysicalMemory;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The children's statistics as Hyper-V's root reads them: each child's partition stats page is
 * mapped with HvCallMapStatsPage the first time its counters are wanted, read in place after
 * that (no call per reading), and unmapped with HvCallUnmapStatsPage before the partition goes.
 */
final class PartitionStatsPages {
    private final RootHypercalls hc;
    private final RootPhysicalMemory memory;
    private final Map<Long, RootPageView> mapped = new ConcurrentHashMap<>();

    PartitionStatsPages(RootHypercalls hc, RootPhysicalMemory memory) {
        this.hc = hc;
        this.memory = memory;
    }

    /** The child's counters, or empty when the hypervisor has no such child (or refused the map). */
    Optional<PartitionStatistics> read(long partitionId) {
        RootPageView view;
        try {
            view = mapped.computeIfAbsent(partitionId, id -> memory.view(new long[] {hc.mapStatsPage(id)}));
        } catch (HypercallFailedException e) {
            return Optional.empty();
        }
        MemorySegment page = view.page(0);
        return Optional.of(new PartitionStatistics(counter(page, HvStats.PARVIS_CPU_NANOS), counter(page, HvStats.PARVIS_HYPERCALLS),
                counter(page, HvStats.PARVIS_EXITS), counter(page, HvStats.PARVIS_INTERCEPTS),
                counter(page, HvStats.PARTITION_GPA_PAGES), counter(page, HvStats.PARTITION_DEPOSITED_PAGES),
                (int) counter(page, HvStats.PARTITION_VIRTUAL_PROCESSORS)));
    }

    /** The child's final counters (read with the partition stopped), then its page unmapped. */
    Optional<PartitionStatistics> release(long partitionId) {
        Optional<PartitionStatistics> last = read(partitionId);
        RootPageView view = mapped.remove(partitionId);
        if (view != null) {
            view.close();
            try {
                hc.unmapStatsPage(partitionId);
            } catch (HypercallFailedException e) {
                // The partition is gone already: its deletion took the page back.
            }
        }
        return last;
    }

    private static long counter(MemorySegment page, int index) {
        return page.getAtIndex(ValueLayout.JAVA_LONG, index);
    }
}
