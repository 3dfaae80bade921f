package dev.parvis.e2e.ic;

import dev.parvis.e2e.BackendUnderTest;
import dev.parvis.e2e.GuestHarness;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.abi.ic.IcConstants;
import dev.parvis.devices.ic.IcStatus;
import dev.parvis.devices.ic.IntegrationServices;
import dev.parvis.e2e.OnEachBackend;
import dev.parvis.hv.Hypervisor;
import dev.parvis.hv.HypervisorConfig;
import dev.parvis.root.config.ConfigStore;
import dev.parvis.root.config.DeviceConfig;
import dev.parvis.root.config.VmConfig;
import dev.parvis.root.vm.VmManagementService;
import dev.parvis.root.vm.VmManagementService.GuestMessage;
import dev.parvis.root.vm.VmState;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gcc-built icfuzz guest sends 10,000 malformed integration-service messages over every IC
 * channel it is offered (then idles with its channels open), while another VM's integration
 * services keep working: the root stays up,
 * the fuzzing VM's services go Degraded with a reason, the other VM's heartbeat stays Ok and its
 * KVP still round-trips.
 */
@OnEachBackend
class IcFuzzFromGuestTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final List<DeviceConfig> ALL_ICS = List.of(new DeviceConfig.IntegrationServices(true, true, true, true, true));

    @TempDir
    Path dataDir;

    @Test
    void tenThousandMalformedIcMessagesFromAGuestLeaveTheRootAndAnotherVmsServicesWorking() throws Exception {
        try (Hypervisor hv = Hypervisor.boot(BackendUnderTest.config(96L << 20, HypervisorConfig.DEFAULT_RUN_SLICE));
             VmManagementService service = new VmManagementService(hv, new ConfigStore(dataDir.resolve("data")), GuestHarness.guestsDir())) {
            UUID good = start(service, VmConfig.create("ic-good", "icdaemon").withMemoryMiB(16).withDevices(ALL_ICS));
            GuestHarness.await(Duration.ofSeconds(10), () -> service.integrationStatus(good).get("heartbeat") instanceof IcStatus.Ok, "good heartbeat Ok");

            UUID fuzz = start(service, VmConfig.create("ic-fuzz", "icfuzz").withMemoryMiB(16).withDevices(ALL_ICS));
            GuestMessage report = awaitMessage(service, fuzz);
            ByteBuffer r = ByteBuffer.wrap(report.payload()).order(ByteOrder.LITTLE_ENDIAN);
            long sent = r.getLong(), failures = r.getLong(), channels = r.getLong();
            Map<String, IcStatus> fuzzed = service.integrationStatus(fuzz);
            System.out.printf("icfuzz: %d malformed IC messages sent over %d channels (%d send failures); fuzzing VM statuses %s%n",
                    sent, channels, failures, fuzzed);
            assertTrue(sent >= 10_000, "malformed messages sent: " + sent);
            assertEquals(5, channels, "IC channels the fuzzer opened");

            assertTrue(fuzzed.values().stream().anyMatch(s -> s instanceof IcStatus.Degraded),
                    "the fuzzing VM's services are marked degraded: " + fuzzed);
            assertInstanceOf(IcStatus.Ok.class, service.integrationStatus(good).get("heartbeat"), "the other VM's heartbeat");
            IntegrationServices ics = service.integrationServices(good).orElseThrow();
            assertTrue(ics.kvp().set(IcConstants.KVP_POOL_EXTERNAL, "after-fuzz", "still here").succeeded());
            assertEquals(Optional.of("still here"), ics.kvp().get(IcConstants.KVP_POOL_EXTERNAL, "after-fuzz"));
            assertInstanceOf(VmState.Running.class, service.get(good).orElseThrow().state(), "the other VM keeps running");
        }
    }

    private static UUID start(VmManagementService service, VmConfig config) throws Exception {
        UUID id = service.create(config).id();
        assertInstanceOf(VmState.Running.class, service.start(id).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        return id;
    }

    private static GuestMessage awaitMessage(VmManagementService service, UUID id) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<GuestMessage> m = service.lastGuestMessageRecord(id);
            if (m.isPresent()) {
                return m.get();
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no report from the fuzzing guest within " + TIMEOUT);
    }
}
