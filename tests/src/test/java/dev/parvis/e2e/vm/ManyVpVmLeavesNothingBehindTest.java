package dev.parvis.e2e.vm;

import static dev.parvis.e2e.vm.VmFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.parvis.e2e.OnEachBackend;
import dev.parvis.hv.memory.PoolStatistics;
import dev.parvis.hv.partition.Partition;
import dev.parvis.root.vm.VmState;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A VM with the most VPs a partition may have (64) is started and turned off again and again: after
 * every stop the page pool and the partition table are exactly where they were before the first
 * start (the root withdraws every deposited page, however many the kernel holds for the VPs).
 */
@OnEachBackend
class ManyVpVmLeavesNothingBehindTest {
    private static final int ROUNDS = 4;

    @TempDir
    Path dataDir;

    @Test
    void startingAndStoppingA64VpVmReturnsEveryPageAndPartitionSlot() throws Exception {
        try (VmFixture f = new VmFixture(dataDir, 64L << 20)) {
            UUID id = f.service.create(VmFixture.counterVm("wide", 4).withVcpuCount(Partition.MAX_VPS)).id();
            PoolStatistics before = f.hv.pool().statistics();
            int partitionsBefore = f.hv.partitions().all().size();
            for (int round = 0; round < ROUNDS; round++) {
                assertInstanceOf(VmState.Running.class, await(f.service.start(id)));
                f.awaitCounterAbove(id, f.counterGpa(id), 0);
                assertEquals(partitionsBefore + 1, f.hv.partitions().all().size(), "round " + round + ": the VM's partition");
                assertInstanceOf(VmState.Off.class, await(f.service.stop(id)));
                assertEquals(before, f.hv.pool().statistics(), "round " + round + ": every deposited page is back in the root");
                assertEquals(partitionsBefore, f.hv.partitions().all().size(), "round " + round + ": the partition slot is freed");
            }
        }
    }
}
