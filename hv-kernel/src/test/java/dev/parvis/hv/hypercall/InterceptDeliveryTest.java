package dev.parvis.hv.hypercall;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.abi.boot.BootProtocol;
import dev.parvis.abi.hv.HvInterceptType;
import dev.parvis.abi.hv.HvMessage;
import dev.parvis.abi.hv.HvMessageType;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.abi.hv.input.PendingMessages;
import dev.parvis.abi.hv.input.VpStateHeader;
import dev.parvis.vmcore.RootPageView;
import java.lang.foreign.MemorySegment;
import dev.parvis.vmcore.RootSynic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Intercept reports travel in each child's own share of the root's intercept queue: one child's full
 * share neither loses its report (the VP stays suspended until the root has room for it, as Hyper-V
 * keeps a VP suspended until its intercept is delivered) nor delays another child's.
 */
class InterceptDeliveryTest {
    /** mov dx, 0x604; mov ax, 0x2000; out dx, ax; hlt */
    private static final byte[] POWER_OFF = {0x66, (byte) 0xBA, 0x04, 0x06, 0x66, (byte) 0xB8, 0x00, 0x20, 0x66, (byte) 0xEF, (byte) 0xF4};

    /** hlt; jmp back to it */
    private static final byte[] HALT_LOOP = {(byte) 0xF4, (byte) 0xEB, (byte) 0xFD};

    private final KernelRig rig = new KernelRig(1);

    @AfterEach
    void close() {
        rig.close();
    }

    private long poweringOff() {
        return rig.childRunning(POWER_OFF, 0, id -> rig.hc.installIntercept(id, HvInterceptType.ACCESS_WRITE,
                HvInterceptType.X64_IO_PORT, BootProtocol.POWER_OFF_PORT));
    }

    /** The id the next partition created will get (its share can be filled before it even runs). */
    private long nextPartitionId() {
        long first = rig.hc.createPartition(0);
        rig.hc.deletePartition(first);
        return first + 1;
    }

    private void fillShare(long child) {
        HvMessage filler = new HvMessage(new HvMessageType(1), (byte) 0, child, new byte[] {1});
        for (int i = 0; i < rig.hv.rootInbox().perChildDepth(); i++) {
            assertEquals(HvStatus.SUCCESS, rig.hv.rootInbox().postMessage(child, RootSynic.INTERCEPT_SINT, filler));
        }
    }

    @Test
    void aReportHeldForAFullShareIsSavedWithItsVpAndRestoredToTheRootOnceWithTheVpSuspendedOnIt() throws Exception {
        long saved = nextPartitionId();
        fillShare(saved);
        assertEquals(saved, poweringOff());
        KernelRig.await(() -> rig.hv.interceptReporter().undeliveredCount(saved) == 1, "the report to be held");
        saveDeleteAndRestore(saved);
    }

    /** The root's queue goes with a deleted partition: a report the root had not taken is saved too. */
    @Test
    void aReportTheRootHasNotTakenIsSavedWithItsVpAndRestoredToTheRootOnce() throws Exception {
        long saved = poweringOff();
        KernelRig.await(() -> rig.hv.rootInbox().queued(RootSynic.INTERCEPT_SINT, saved) == 1, "the report in the root's queue");
        saveDeleteAndRestore(saved);
    }

    /** Gets the VP's pending messages, deletes the partition, sets them on a fresh child: the root gets the report once. */
    private void saveDeleteAndRestore(long saved) throws InterruptedException {

        long[] page = rig.hv.rootMemory().allocate(1);
        rig.hc.getVpState(saved, 0, VpStateHeader.TYPE_PARVIS_PENDING_MESSAGES, page);
        byte[] state = new byte[4096];
        try (RootPageView view = rig.hv.rootMemory().view(page)) {
            MemorySegment.copy(view.page(0), 0, MemorySegment.ofArray(state), 0, state.length);
        }
        List<PendingMessages.Entry> entries = PendingMessages.read(MemorySegment.ofArray(state)).entries();
        assertEquals(1, entries.size(), "the VP's untaken report, and nothing else");
        assertEquals(PendingMessages.KIND_INTERCEPT, entries.get(0).kind());
        assertEquals(HvMessageType.X64_IO_PORT_INTERCEPT, entries.get(0).message().type());
        rig.hc.deletePartition(saved); // its fillers and its own held report go with it

        // Set on a fresh child before it first runs, as the VM worker's restore does.
        long restored = rig.childRunning(HALT_LOOP, 0, id -> rig.hc.setVpState(id, 0, VpStateHeader.TYPE_PARVIS_PENDING_MESSAGES, page));
        assertTrue(rig.vp(restored).interceptSuspended(), "the VP is suspended on its restored report, as it was when saved");
        HvMessage delivered = rig.hv.rootSynic().take(RootSynic.INTERCEPT_SINT, Duration.ofSeconds(5)).orElseThrow();
        assertEquals(restored, delivered.sender(), "the report comes from the restored partition");
        assertArrayEquals(entries.get(0).message().payload(), delivered.payload(), "the report as it was held");
        assertEquals(0, rig.hv.rootInbox().queued(RootSynic.INTERCEPT_SINT, restored)
                + rig.hv.interceptReporter().undeliveredCount(restored), "delivered once: no copy left to come");
        assertTrue(rig.vp(restored).interceptSuspended(), "the VP waits for the root to resolve it");
    }

    @Test
    void aChildWhoseShareIsFullKeepsItsReportUntilThereIsRoomWhileAnotherChildsGetsThrough() throws Exception {
        long flooded = nextPartitionId();
        int depth = rig.hv.rootInbox().perChildDepth();
        fillShare(flooded);
        assertEquals(flooded, poweringOff());
        KernelRig.await(() -> rig.hv.interceptReporter().undeliveredCount(flooded) == 1, "the flooded child's report to be held");
        assertTrue(rig.vp(flooded).interceptSuspended(), "its VP stays suspended meanwhile");

        long other = poweringOff();
        KernelRig.await(() -> rig.hv.rootInbox().queued(RootSynic.INTERCEPT_SINT, other) == 1, "the other child's report");
        List<HvMessage> taken = new ArrayList<>();
        taken.add(rig.hv.rootSynic().take(RootSynic.INTERCEPT_SINT, Duration.ofSeconds(1)).orElseThrow());
        taken.add(rig.hv.rootSynic().take(RootSynic.INTERCEPT_SINT, Duration.ofSeconds(1)).orElseThrow());
        assertTrue(taken.stream().anyMatch(m -> m.sender() == other && m.type().equals(HvMessageType.X64_IO_PORT_INTERCEPT)),
                "the other child's report comes within the first two, not after the flood");

        HvMessage last = null;
        for (int i = 0; i < depth; i++) {
            last = rig.hv.rootSynic().take(RootSynic.INTERCEPT_SINT, Duration.ofSeconds(1)).orElseThrow();
        }
        assertEquals(HvMessageType.X64_IO_PORT_INTERCEPT, last.type(), "the held report arrives behind the filler, in order");
        assertEquals(flooded, last.sender());
        assertEquals(0, rig.hv.interceptReporter().undeliveredCount(flooded));
    }
}
