package dev.parvis.e2e.vm;

import static dev.parvis.e2e.vm.HeldMessagesAcrossSaveTest.awaitMessage;
import static dev.parvis.e2e.vm.HeldMessagesAcrossSaveTest.eventConnection;
import static dev.parvis.e2e.vm.HeldMessagesAcrossSaveTest.liveChild;
import static dev.parvis.e2e.vm.VmFixture.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.abi.hv.HvMessage;
import dev.parvis.abi.hv.HvMessageType;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.e2e.BackendUnderTest;
import dev.parvis.e2e.OnEachBackend;
import dev.parvis.hv.HypervisorConfig;
import dev.parvis.root.config.VmConfig;
import dev.parvis.root.vm.VmRequest;
import dev.parvis.root.vm.VmState;
import dev.parvis.vmcore.RootHypercalls;
import dev.parvis.vmcore.RootSynic;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An intercept report the kernel holds because the root's queue for that child is full lives in no
 * page of the guest and in no queue of the root: the VP is suspended on it. A Save-VM through the
 * management service (the VM worker's save: VP state TYPE_PARVIS_PENDING_MESSAGES) and a start from
 * the saved state must give the root that report once, as if nothing had happened, so the guest's
 * power-off still turns the VM off. So must one still in the root's queue, untaken: that queue goes
 * with the saved partition. The root's router is stalled ({@link StalledInterceptRouting}), and for
 * a held report the child's share of the intercept queue filled before the guest powers off.
 */
@OnEachBackend
@Timeout(90)
class HeldInterceptReportsAcrossSaveTest {
    @TempDir
    Path dataDir;

    @Test
    void aPowerOffReportHeldForAFullRootQueueAtSaveReachesTheRootOnceAfterRestoreAndTurnsTheVmOff() throws Exception {
        powerOffAcrossSave(true);
    }

    /** The same report in the root's queue, not yet taken by the stalled router: the partition's queue goes at the save. */
    @Test
    void aPowerOffReportTheRootHadNotTakenAtSaveReachesTheRootOnceAfterRestoreAndTurnsTheVmOff() throws Exception {
        powerOffAcrossSave(false);
    }

    /**
     * The router takes the power-off report once the save has suspended the partition, and hands it to
     * the VM's worker behind the save: the kernel's snapshot no longer has it and the worker has not
     * acted on it yet. The save must give way to the exit (the VM turns Off, no saved state is left)
     * rather than save a guest whose power-off no one would ever act on.
     */
    @Test
    void aPowerOffTheRouterTookDuringTheSaveWinsOverTheSave() throws Exception {
        AtomicReference<StalledInterceptRouting> routing = new AtomicReference<>();
        try (VmFixture f = stalledFixture(routing)) {
            UUID id = startDrainVm(f);
            long pid = liveChild(f);
            drainLastAndPowerOff(f, id, pid);
            VmFixture.until(() -> f.hv.rootInbox().queued(RootSynic.INTERCEPT_SINT, pid) == 1, "the power-off report in the root's queue");

            // Progress 10: the partition is suspended, its state not yet read. The router takes the report now.
            CompletableFuture<VmState> save = f.service.request(id, new VmRequest.Save(), percent -> {
                if (percent == 10) {
                    routing.get().open();
                    try {
                        VmFixture.until(() -> routing.get().taken().stream().anyMatch(m -> m.sender() == pid), "the router to take the report");
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            ExecutionException refused = assertThrows(ExecutionException.class, () -> save.get(60, TimeUnit.SECONDS));
            assertTrue(refused.getCause().getMessage().contains("exited"), refused.getCause().getMessage());
            VmFixture.until(() -> f.service.get(id).orElseThrow().state() instanceof VmState.Off, "the VM to act on the power-off");
            assertFalse(Files.exists(f.service.savedStatePath(id)), "no saved state left behind");
        }
    }

    private void powerOffAcrossSave(boolean shareFull) throws Exception {
        AtomicReference<StalledInterceptRouting> routing = new AtomicReference<>();
        try (VmFixture f = stalledFixture(routing)) {
            UUID id = startDrainVm(f);
            long saved = liveChild(f);
            if (shareFull) {
                fillInterceptShare(f, saved);
            }

            // Its power-off report is held (share full) or queued untaken.
            drainLastAndPowerOff(f, id, saved);
            VmFixture.until(() -> (shareFull ? f.hv.interceptReporter().undeliveredCount(saved)
                    : f.hv.rootInbox().queued(RootSynic.INTERCEPT_SINT, saved)) == 1, "the power-off report, held or queued");
            List<HvMessage> held = f.hv.interceptReporter().untaken(f.hv.partitions().get(saved).vp(0));
            assertEquals(1, held.size(), "reports about the VP the root has not taken");
            assertEquals(HvMessageType.X64_IO_PORT_INTERCEPT, held.get(0).type());

            assertInstanceOf(VmState.Saved.class, await(f.service.save(id)));
            assertInstanceOf(VmState.Running.class, await(f.service.start(id)));
            long restored = liveChild(f);
            assertEquals(1, f.hv.rootInbox().queued(RootSynic.INTERCEPT_SINT, restored)
                    + f.hv.interceptReporter().undeliveredCount(restored), "reports about the restored partition: the held one, once");

            routing.get().open();
            VmFixture.until(() -> f.service.get(id).orElseThrow().state() instanceof VmState.Off,
                    "the restored VM to act on the held power-off (a lost report leaves its VP suspended or halted)");
            List<HvMessage> delivered = routing.get().taken().stream().filter(m -> m.sender() == restored).toList();
            assertEquals(1, delivered.size(), "reports the root took about the restored partition");
            assertEquals(held.get(0).type(), delivered.get(0).type());
            assertArrayEquals(held.get(0).payload(), delivered.get(0).payload(), "the report as it was held: same VP, RIP, port, value");
        }
    }

    private VmFixture stalledFixture(AtomicReference<StalledInterceptRouting> routing) throws Exception {
        HypervisorConfig config = BackendUnderTest.config(64L << 20, HypervisorConfig.DEFAULT_RUN_SLICE);
        return new VmFixture(dataDir, config, hv -> {
            routing.set(new StalledInterceptRouting(hv));
            return routing.get();
        });
    }

    /** Creates and starts the drain VM, and waits for its ready message. */
    private static UUID startDrainVm(VmFixture f) throws Exception {
        UUID id = f.service.create(VmConfig.create("drain", "drain").withMemoryMiB(8).withDevices(List.of())).id();
        assertInstanceOf(VmState.Running.class, await(f.service.start(id)));
        awaitMessage(f, id, 4, "the guest's ready message");
        return id;
    }

    /** The guest drains one message (the last), replies, and powers off. */
    private static void drainLastAndPowerOff(VmFixture f, UUID id, long pid) throws Exception {
        assertEquals(HvStatus.SUCCESS, f.service.postToGuest(id, lastItem()));
        RootHypercalls hc = new RootHypercalls(f.hv.gateway());
        assertEquals(HvStatus.SUCCESS, hc.signalEvent(eventConnection(f, hc, pid), 0), "start the drain");
        awaitMessage(f, id, 12, "the guest's report of what it drained");
    }

    /** Fills the child's whole share of the root's intercept queue, and proves it is full. */
    private static void fillInterceptShare(VmFixture f, long child) {
        HvMessage filler = new HvMessage(new HvMessageType(1), (byte) 0, child, new byte[] {1});
        for (int i = 0; i < f.hv.rootInbox().perChildDepth(); i++) {
            assertEquals(HvStatus.SUCCESS, f.hv.rootInbox().postMessage(child, RootSynic.INTERCEPT_SINT, filler), "filler " + i);
        }
        assertEquals(HvStatus.INSUFFICIENT_BUFFERS, f.hv.rootInbox().postMessage(child, RootSynic.INTERCEPT_SINT, filler),
                "the child's share is full");
    }

    /** The drain guest's item {seq 0, last 1}. */
    private static byte[] lastItem() {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(0).putInt(1).array();
    }
}
