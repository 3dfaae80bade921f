package dev.parvis.hv.hypercall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.parvis.abi.hv.HvCallCode;
import dev.parvis.abi.hv.HvStats;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.abi.hv.HypercallControl;
import dev.parvis.abi.hv.input.StatsPageInput;
import dev.parvis.abi.hv.input.StatsPageLocation;
import dev.parvis.hv.memory.PoolStatistics;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * HvCallMapStatsPage / HvCallUnmapStatsPage from the root: the page it maps carries the child's
 * counters at the published indices and is kept up to date while the child runs; every malformed or
 * misdirected input is refused with its status and takes no page; the page goes back to the root's
 * free pages on unmap and on the child's deletion. (A child's call is ACCESS_DENIED: PrivcheckGuestTest.)
 */
@Timeout(60)
class StatsPageCallsTest {
    /** A VP that spins: {@code jmp $}. */
    private static final byte[] SPIN = {(byte) 0xEB, (byte) 0xFE};

    private final KernelRig rig = new KernelRig();
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment in = arena.allocate(4096, 4096);
    private final MemorySegment out = arena.allocate(4096, 4096);

    @AfterEach
    void close() {
        arena.close();
        rig.close();
    }

    private HvStatus call(HvCallCode code, Consumer<MemorySegment> input) {
        in.fill((byte) 0);
        out.fill((byte) 0);
        input.accept(in);
        return rig.hv.gateway().call(HypercallControl.simple(code), in, out).status();
    }

    private HvStatus map(long partitionId) {
        return call(HvCallCode.MAP_STATS_PAGE,
                s -> StatsPageInput.partition(HvStats.OBJECT_PARTITION, partitionId, HvStats.AREA_SELF).write(s));
    }

    @Test
    void thePageCarriesTheChildsCountersAndFollowsItsRunTime() throws Exception {
        long id = rig.childRunning(SPIN, 2, vp -> { });
        assertEquals(HvStatus.SUCCESS, map(id));
        long pfn = StatsPageLocation.read(out).mapLocation();
        try (var view = rig.hv.rootMemory().view(new long[] {pfn})) {
            MemorySegment page = view.page(0);
            assertEquals(id, page.getAtIndex(ValueLayout.JAVA_LONG, HvStats.PARTITION_PARTITION_ID));
            assertEquals(1, page.getAtIndex(ValueLayout.JAVA_LONG, HvStats.PARTITION_VIRTUAL_PROCESSORS));
            assertEquals(rig.hv.partitions().get(id).gpaMap().mappedPages(),
                    page.getAtIndex(ValueLayout.JAVA_LONG, HvStats.PARTITION_GPA_PAGES), "code, hypercall, stack and 2 pages");
            assertEquals(rig.hv.pool().depositedTo(id), page.getAtIndex(ValueLayout.JAVA_LONG, HvStats.PARTITION_DEPOSITED_PAGES));
            long cpuAtMap = page.getAtIndex(ValueLayout.JAVA_LONG, HvStats.PARVIS_CPU_NANOS);
            // No call between these readings: the kernel rewrites the page as the VP's slices end.
            KernelRig.await(() -> page.getAtIndex(ValueLayout.JAVA_LONG, HvStats.PARVIS_CPU_NANOS) > cpuAtMap + 1_000_000,
                    "the spinning VP's CPU time to grow on the mapped page");
        }
    }

    @Test
    void malformedOrMisdirectedInputsAreRefusedAndTakeNoPage() {
        long id = rig.childRunning(SPIN, 0, vp -> { });
        PoolStatistics before = rig.hv.pool().statistics();
        assertEquals(HvStatus.INVALID_PARTITION_ID, map(0x7FFF_FFFFL), "no such partition");
        assertEquals(HvStatus.INVALID_PARTITION_ID, map(rig.hc.getPartitionId()), "the root itself");
        for (int type : new int[] {HvStats.OBJECT_HYPERVISOR, HvStats.OBJECT_LOGICAL_PROCESSOR, HvStats.OBJECT_VP, 0, -1}) {
            assertEquals(HvStatus.INVALID_PARAMETER, call(HvCallCode.MAP_STATS_PAGE,
                    s -> StatsPageInput.partition(type, id, HvStats.AREA_SELF).write(s)), "object type 0x" + Integer.toHexString(type));
        }
        for (int area : new int[] {HvStats.AREA_PARENT, HvStats.AREA_INTERNAL, 0xFF}) {
            assertEquals(HvStatus.INVALID_PARAMETER, call(HvCallCode.MAP_STATS_PAGE,
                    s -> StatsPageInput.partition(HvStats.OBJECT_PARTITION, id, area).write(s)), "area " + area);
        }
        assertEquals(HvStatus.INVALID_PARAMETER, call(HvCallCode.MAP_STATS_PAGE,
                s -> new StatsPageInput(HvStats.OBJECT_PARTITION, id, 1L << 8).write(s)), "a reserved identity byte set");
        assertEquals(HvStatus.INVALID_PARAMETER, call(HvCallCode.MAP_STATS_PAGE, s -> {
            StatsPageInput.partition(HvStats.OBJECT_PARTITION, id, HvStats.AREA_SELF).write(s);
            s.set(ValueLayout.JAVA_INT, 4, 1);
        }), "padding set");
        assertEquals(HvStatus.INVALID_PARAMETER, call(HvCallCode.UNMAP_STATS_PAGE,
                s -> StatsPageInput.partition(HvStats.OBJECT_PARTITION, id, HvStats.AREA_SELF).write(s)), "unmap with none mapped");
        assertEquals(before, rig.hv.pool().statistics(), "no refused call took a page");
        assertNull(rig.hv.partitions().get(id).statsPage());

        assertEquals(HvStatus.SUCCESS, map(id));
        assertEquals(HvStatus.INVALID_PARAMETER, map(id), "a second map while one is mapped");
        assertEquals(before.rootFree() - 1, rig.hv.pool().statistics().rootFree(), "one page for the one map");
    }

    @Test
    void thePageGoesBackToTheRootOnUnmapAndOnTheChildsDeletion() {
        long id = rig.childRunning(SPIN, 0, vp -> { });
        long free = rig.hv.pool().statistics().rootFree();
        assertEquals(HvStatus.SUCCESS, map(id));
        assertEquals(HvStatus.SUCCESS, call(HvCallCode.UNMAP_STATS_PAGE,
                s -> StatsPageInput.partition(HvStats.OBJECT_PARTITION, id, HvStats.AREA_SELF).write(s)));
        assertEquals(free, rig.hv.pool().statistics().rootFree(), "unmap gave the page back");

        assertEquals(HvStatus.SUCCESS, map(id));
        assertNotNull(rig.hv.partitions().get(id).statsPage());
        long freeBeforeDelete = rig.hv.pool().statistics().rootFree();
        rig.hc.deletePartition(id);
        // Its RAM comes back to the root as allocated pages and its deposit waits for a withdraw: the one
        // page that becomes free at once is the stats page.
        assertEquals(freeBeforeDelete + 1, rig.hv.pool().statistics().rootFree(), "deletion gave the stats page back");
        assertEquals(HvStatus.INVALID_PARTITION_ID, map(id), "a deleted partition has no stats page to map");
    }
}
