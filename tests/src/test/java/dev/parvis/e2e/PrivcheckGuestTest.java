package dev.parvis.e2e;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.abi.hv.HvMessage;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.hv.memory.PoolStatistics;
import dev.parvis.hv.partition.PartitionState;
import dev.parvis.root.loader.LoadedChild;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/**
 * A child issuing the root's management hypercalls, well formed, against itself, another child and
 * the root, is refused with ACCESS_DENIED every time, and nothing in the kernel changes.
 *
 * <p>Known kernel bug this test exposes: VpCalls.withTarget checks "no such partition / the root"
 * (INVALID_PARTITION_ID) before the ACCESS_VP_REGISTERS privilege, so GetVpRegisters on the root or on
 * an unused id answers INVALID_PARTITION_ID while another child's id answers ACCESS_DENIED: an
 * unprivileged child can enumerate live partition ids.
 */
@OnEachBackend
@Timeout(60)
class PrivcheckGuestTest {
    /** The calls privcheck/main.c issues, in its order. */
    private static final String[] CALLS = {
        "CreatePartition",
        "InitializePartition(other, fast)",
        "FinalizePartition(other, fast)",
        "DeletePartition(other, fast)",
        "DepositMemory(self, rep 1)",
        "WithdrawMemory(other, rep 1)",
        "MapGpaPages(self, rep 1)",
        "MapGpaPages(other, rep 1)",
        "UnmapGpaPages(other, rep 1)",
        "CreateVp(self, vp 1)",
        "CreateVp(other, vp 1)",
        "CreatePort(self <- root)",
        "CreatePort(other <- self)",
        "ConnectPort(self -> root)",
        "ConnectPort(other -> self)",
        "ReadGpa(other)",
        "WriteGpa(other)",
        "InstallIntercept(other)",
        "GetVpRegisters(root, VP_INDEX)",
        "GetVpRegisters(other, VP_INDEX)",
        "GetVpRegisters(no such partition, VP_INDEX)",
        "SetVpRegisters(other, RIP)",
        "MapStatsPage(other)",
        "MapStatsPage(self)",
        "UnmapStatsPage(other)",
    };

    @Test
    void everyRootHypercallFromAChildIsAccessDeniedAndChangesNothing() throws Exception {
        try (GuestHarness h = new GuestHarness()) {
            LoadedChild other = h.boot("spin");
            LoadedChild privcheck = h.boot("privcheck");
            h.awaitOutput(other, "waiting for requests", GuestHarness.TIMEOUT);
            h.awaitOutput(privcheck, "waiting for", GuestHarness.TIMEOUT);

            int partitionsBefore = h.hv.partitions().all().size();
            long childrenBefore = h.hv.partitions().childCount();
            PoolStatistics poolBefore = h.hv.pool().statistics();
            long[] otherGpnsBefore = h.partition(other).gpaMap().mappedGpns();
            long[] selfGpnsBefore = h.partition(privcheck).gpaMap().mappedGpns();

            h.send(privcheck, GuestHarness.u64s(other.partitionId()));
            HvMessage report = h.awaitMessage(privcheck);
            assertEquals(CALLS.length * 2, report.payloadSize(), () -> "one u16 status per call\n" + h.describe(privcheck));

            ByteBuffer b = GuestHarness.le(report);
            List<Executable> checks = new ArrayList<>();
            for (String call : CALLS) {
                HvStatus status = new HvStatus(b.getShort());
                checks.add(() -> assertEquals(HvStatus.ACCESS_DENIED, status, call + " from a child"));
            }
            checks.add(() -> assertEquals(partitionsBefore, h.hv.partitions().all().size(), "partition count"));
            checks.add(() -> assertEquals(childrenBefore, h.hv.partitions().childCount(), "live child count"));
            checks.add(() -> assertEquals(poolBefore, h.hv.pool().statistics(), "pool statistics"));
            checks.add(() -> assertArrayEquals(otherGpnsBefore, h.partition(other).gpaMap().mappedGpns(), "the other child's GPA map"));
            checks.add(() -> assertArrayEquals(selfGpnsBefore, h.partition(privcheck).gpaMap().mappedGpns(), "privcheck's own GPA map"));
            checks.add(() -> assertEquals(PartitionState.FINALIZED, h.partition(other).state(), "the other child's state"));
            checks.add(() -> assertEquals(1, h.partition(privcheck).vpCount(), "privcheck still has one VP"));
            checks.add(() -> assertTrue(h.partition(other).vp(0) != null && h.partition(other).vpCount() == 1, "the other child's VPs"));
            assertAll(checks);

            h.awaitPowerOff(privcheck);
            // The other child still answers: no refused call (DeletePartition, SetVpRegisters RIP) reached it.
            h.send(other, GuestHarness.u64s(1000));
            assertEquals(1000, GuestHarness.le(h.awaitMessage(other)).getLong(), "spin still answers");
        }
    }
}
