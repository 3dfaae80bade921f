package dev.parvis.e2e.ic;

import dev.parvis.e2e.BackendUnderTest;
import dev.parvis.e2e.GuestHarness;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.abi.hv.HvStatus;
import dev.parvis.abi.ic.IcConstants;
import dev.parvis.devices.ic.IcResult;
import dev.parvis.devices.ic.IcStatus;
import dev.parvis.devices.ic.IntegrationServices;
import dev.parvis.devices.ic.TimeSyncService;
import dev.parvis.e2e.OnEachBackend;
import dev.parvis.hv.Hypervisor;
import dev.parvis.hv.HypervisorConfig;
import dev.parvis.root.config.ConfigStore;
import dev.parvis.root.config.DeviceConfig;
import dev.parvis.root.config.VmConfig;
import dev.parvis.root.vm.VmEvent;
import dev.parvis.root.vm.VmManagementService;
import dev.parvis.root.vm.VmManagementService.GuestMessage;
import dev.parvis.root.vm.VmState;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A managed VM running the icdaemon guest with every integration service on: each test is one
 * acceptance criterion of the services as a VM sees them, on the same VM, the graceful stop last.
 */
@OnEachBackend
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IntegrationServicesVmTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    static Path dataDir;

    private Hypervisor hv;
    private VmManagementService service;
    private final List<VmEvent> events = new CopyOnWriteArrayList<>();
    private UUID id;
    private long startedNanos;

    @BeforeAll
    void startVm() throws Exception {
        hv = Hypervisor.boot(BackendUnderTest.config(96L << 20, HypervisorConfig.DEFAULT_RUN_SLICE));
        service = new VmManagementService(hv, new ConfigStore(dataDir.resolve("data")), GuestHarness.guestsDir());
        service.subscribe(events::add);
        VmConfig config = VmConfig.create("ic-vm", "icdaemon").withMemoryMiB(16)
                .withDevices(List.of(new DeviceConfig.IntegrationServices(true, true, true, true, true)));
        id = service.create(config).id();
        assertInstanceOf(VmState.Running.class, service.start(id).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        startedNanos = System.nanoTime();
    }

    @AfterAll
    void close() {
        if (service != null) {
            service.close();
        }
        if (hv != null) {
            hv.close();
        }
    }

    @Test
    @Order(1)
    void heartbeatIsOkAfterStart() throws Exception {
        // The bound only guards against a hang (a loaded machine may take longer than a quiet one);
        // the time it took is printed, not asserted.
        GuestHarness.await(TIMEOUT, () -> heartbeat() instanceof IcStatus.Ok, "heartbeat Ok");
        System.out.printf("ic: heartbeat Ok %d ms after start; statuses %s%n",
                (System.nanoTime() - startedNanos) / 1_000_000, service.integrationStatus(id));
    }

    @Test
    @Order(2)
    void aHungDaemonIsLostCommunicationAndRecovers() throws Exception {
        GuestHarness.await(TIMEOUT, () -> heartbeat() instanceof IcStatus.Ok, "heartbeat Ok");
        long t0 = System.nanoTime();
        command(1, 0, 0);
        GuestHarness.await(Duration.ofSeconds(5), () -> heartbeat() instanceof IcStatus.LostCommunication, "heartbeat LostCommunication");
        long lost = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(lost <= 4_500, "LostCommunication after " + lost + " ms");
        long t1 = System.nanoTime();
        command(2, 0, 0);
        GuestHarness.await(Duration.ofSeconds(4), () -> heartbeat() instanceof IcStatus.Ok, "heartbeat Ok again");
        System.out.printf("ic: heartbeat lost %d ms after command 1, Ok %d ms after command 2%n", lost,
                (System.nanoTime() - t1) / 1_000_000);
    }

    @Test
    @Order(3)
    void kvpExternalItemRoundTripsAndGuestIntrinsicItemsNameTheOs() throws Exception {
        IntegrationServices ics = ics();
        GuestHarness.await(TIMEOUT, () -> ics.kvp().status() instanceof IcStatus.Ok || ics.kvp().channel() != null, "KVP channel");
        IcResult set = ics.kvp().set(IcConstants.KVP_POOL_EXTERNAL, "parvis-test", "hello guest");
        assertTrue(set.succeeded(), "set: " + set);
        assertEquals(Optional.of("hello guest"), ics.kvp().get(IcConstants.KVP_POOL_EXTERNAL, "parvis-test"));
        Map<String, String> intrinsic = ics.kvp().refreshGuestIntrinsicItems();
        assertEquals("Parvis guest", intrinsic.get("OSName"), "intrinsic items " + intrinsic);
        System.out.printf("ic: kvp external item round-tripped; guest intrinsic items %s%n", intrinsic);
    }

    @Test
    @Order(4)
    void timeSyncCorrectsASkewedGuestClockToWithinTenMilliseconds() throws Exception {
        IntegrationServices ics = ics();
        GuestHarness.await(TIMEOUT, () -> ics.timeSync().samplesAnswered() > 0, "a time sample answered");
        long before = clockError();
        command(3, 0, 5L * 10_000_000);
        long skewed = clockError();
        long samples = ics.timeSync().samplesAnswered();
        GuestHarness.await(TIMEOUT, () -> ics.timeSync().samplesAnswered() >= samples + 3, "3 more time samples");
        long after = clockError();
        System.out.printf("ic: guest clock error %.3f ms before, %.3f ms after +5 s skew, %.3f ms after 3 samples%n",
                before / 1e4, skewed / 1e4, after / 1e4);
        assertTrue(skewed > 4 * 10_000_000L, "the skew took: " + skewed);
        assertTrue(Math.abs(after) <= 10 * 10_000L, "guest clock within 10 ms of host time: " + after / 1e4 + " ms");
    }

    @Test
    @Order(5)
    void aCopiedOneMiBFileHasTheSameSha256InTheGuest() throws Exception {
        Path file = dataDir.resolve("random.bin");
        byte[] data = new byte[1 << 20];
        new Random(42).nextBytes(data);
        Files.write(file, data);
        byte[] expected = MessageDigest.getInstance("SHA-256").digest(data);
        IntegrationServices ics = ics();
        GuestHarness.await(TIMEOUT, () -> ics.fileCopy().status() instanceof IcStatus.Ok || ics.fileCopy().channel() != null, "fcopy channel");
        long t0 = System.nanoTime();
        assertEquals(data.length, service.copyFileToGuest(id, file, "random.bin"));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        ByteBuffer report = ByteBuffer.wrap(command(5, 0, 0)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(data.length, report.getLong(), "slot 0 size");
        byte[] digest = new byte[32];
        report.get(digest);
        assertArrayEquals(expected, digest, "slot 0 SHA-256");
        Optional<String> kvp = ics.kvp().get(IcConstants.KVP_POOL_GUEST, "fcopy:random.bin:sha256");
        assertEquals(Optional.of(HexFormat.of().formatHex(expected)), kvp.map(String::toLowerCase), "KVP digest item");
        System.out.printf("ic: 1 MiB copied in %d ms; guest sha256 %s%n", ms, HexFormat.of().formatHex(digest));
    }

    /**
     * A save and restore is invisible to the guest's services: each channel that had negotiated keeps
     * its versions, and the guest is not asked again. The shutdown service sends nothing on its own,
     * so once the heartbeat has answered twice since the restore (the guest runs and answers), its
     * restored channel has answered nothing: no NEGOTIATE went to the guest.
     */
    @Test
    @Order(6)
    void aSaveAndRestoreKeepsEveryServicesVersionsWithoutAskingTheGuestAgain() throws Exception {
        GuestHarness.await(TIMEOUT, () -> ics().shutdown().status() instanceof IcStatus.Ok, "shutdown service Ok");
        Map<dev.parvis.abi.vmbus.Guid, dev.parvis.devices.ic.IcVersions.Negotiated> before = ics().negotiated();
        assertInstanceOf(VmState.Saved.class, service.save(id).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        assertInstanceOf(VmState.Running.class, service.start(id).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        GuestHarness.await(TIMEOUT, () -> ics().heartbeat().channel() != null
                && ics().heartbeat().channel().answeredCount() >= 2, "two heartbeats answered after the restore");
        assertEquals(IcStatus.OK, ics().shutdown().status());
        assertEquals(0, ics().shutdown().channel().answeredCount(), "answers on the restored shutdown channel");
        assertEquals(before, ics().negotiated());
        System.out.printf("ic: restored with %d services' versions kept: %s%n", before.size(), before);
    }

    @Test
    @Order(7)
    void stopShutsTheGuestDownGracefully() throws Exception {
        GuestHarness.await(TIMEOUT, () -> ics().shutdown().status() instanceof IcStatus.Ok, "shutdown service Ok");
        long t0 = System.nanoTime();
        assertInstanceOf(VmState.Off.class, service.stop(id).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        GuestHarness.await(Duration.ofSeconds(5), () -> events.stream().anyMatch(e -> e instanceof VmEvent.StateChanged s && s.id().equals(id)
                && s.to() instanceof VmState.Off), "StateChanged to Off");
        // The worker publishes a turn-off notice before its Off transition and events arrive in order,
        // so with the Off event delivered any notice would be here already: no waiting needed.
        List<VmEvent> notices = events.stream().filter(e -> e instanceof VmEvent.Notice || e instanceof VmEvent.Failed).toList();
        assertEquals(List.of(), notices, "no turn-off notice");
        assertTrue(service.integrationServices(id).isEmpty());
        System.out.printf("ic: graceful stop in %d ms; statuses after %s%n", ms, service.integrationStatus(id));
    }

    // ---- helpers -------------------------------------------------------------------------------

    private IntegrationServices ics() {
        return service.integrationServices(id).orElseThrow(() -> new AssertionError("no integration services"));
    }

    private IcStatus heartbeat() {
        return service.integrationStatus(id).get("heartbeat");
    }

    /**
     * How far (100 ns) the guest's clock lies outside the host times between posting command 4 and
     * its reply arriving: the guest read its clock somewhere in that interval, so a clock that is
     * right reads inside it however long a loaded host takes to run the guest (negative: behind).
     */
    private long clockError() throws Exception {
        long t0 = System.nanoTime();
        long sent = TimeSyncService.windowsTime(java.time.Instant.now());
        GuestMessage m = commandMessage(4, 0, 0);
        long guest = ByteBuffer.wrap(m.payload()).order(ByteOrder.LITTLE_ENDIAN).getLong();
        long received = TimeSyncService.windowsTime(m.receivedAt());
        long error = guest < sent ? guest - sent : Math.max(0, guest - received);
        System.out.printf("ic: clock report round trip %.3f ms%n", (System.nanoTime() - t0) / 1e6);
        return error;
    }

    private byte[] command(int command, int arg, long value) throws Exception {
        return commandMessage(command, arg, value).payload();
    }

    /** Posts a root command; for 4 and 5 waits for the reply, for others returns an empty message. */
    private GuestMessage commandMessage(int command, int arg, long value) throws Exception {
        long seq = service.lastGuestMessageRecord(id).map(GuestMessage::sequence).orElse(0L);
        byte[] payload = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(command).putInt(arg).putLong(value).array();
        HvStatus status = service.postToGuest(id, payload);
        assertTrue(status.isSuccess(), "post of command " + command + ": " + status);
        if (command != 4 && command != 5) {
            return new GuestMessage(seq, new byte[0], java.time.Instant.now());
        }
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<GuestMessage> m = service.lastGuestMessageRecord(id);
            if (m.isPresent() && m.get().sequence() > seq) {
                return m.get();
            }
            Thread.sleep(1);
        }
        throw new AssertionError("no reply to root command " + command);
    }
}
