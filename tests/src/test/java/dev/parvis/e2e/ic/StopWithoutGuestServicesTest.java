package dev.parvis.e2e.ic;

import dev.parvis.e2e.BackendUnderTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.parvis.devices.ic.IcStatus;
import dev.parvis.e2e.OnEachBackend;
import dev.parvis.hv.Hypervisor;
import dev.parvis.hv.HypervisorConfig;
import dev.parvis.root.config.ConfigStore;
import dev.parvis.root.config.DeviceConfig;
import dev.parvis.root.config.VmConfig;
import dev.parvis.root.vm.VmEvent;
import dev.parvis.root.vm.VmManagementService;
import dev.parvis.root.vm.VmState;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A VM whose guest does not run the integration services (the counter guest) shows them as
 * NoContact / Disabled; Stop-VM cannot shut it down gracefully, turns it off and says why.
 */
@OnEachBackend
class StopWithoutGuestServicesTest {
    @TempDir
    Path dataDir;

    @Test
    void stopTurnsOffWithANoticeWhenTheShutdownServiceIsNotOk() throws Exception {
        String dir = System.getProperty("parvis.guests.dir");
        if (dir == null) {
            fail("system property parvis.guests.dir is not set (run through Maven)");
        }
        try (Hypervisor hv = Hypervisor.boot(BackendUnderTest.config(96L << 20, HypervisorConfig.DEFAULT_RUN_SLICE));
             VmManagementService service = new VmManagementService(hv, new ConfigStore(dataDir), Path.of(dir))) {
            List<VmEvent> events = new CopyOnWriteArrayList<>();
            service.subscribe(events::add);
            VmConfig config = VmConfig.create("no-ic-guest", "counter").withMemoryMiB(16)
                    .withDevices(List.of(new DeviceConfig.IntegrationServices(true, true, true, true, false)));
            UUID id = service.create(config).id();
            assertEquals(IcStatus.DISABLED, service.integrationStatus(id).get("fcopy"));
            assertInstanceOf(VmState.Running.class, service.start(id).get(30, TimeUnit.SECONDS));
            // The guest runs through the whole window (its counter moves), and its services still see no contact.
            long gpa = counterGpa(service, id);
            long before = service.readGuestU64(id, gpa);
            Thread.sleep(300);
            assertTrue(service.readGuestU64(id, gpa) > before, "the guest ran during the window");
            assertEquals(IcStatus.NO_CONTACT, service.integrationStatus(id).get("shutdown"));
            assertEquals(IcStatus.DISABLED, service.integrationStatus(id).get("fcopy"));

            assertInstanceOf(VmState.Off.class, service.stop(id).get(30, TimeUnit.SECONDS));
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (events.stream().noneMatch(e -> e instanceof VmEvent.Notice) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            List<String> notices = events.stream().filter(e -> e instanceof VmEvent.Notice).map(e -> ((VmEvent.Notice) e).message())
                    .toList();
            assertEquals(1, notices.size(), "notices " + notices);
            assertTrue(notices.get(0).contains("graceful shutdown failed") && notices.get(0).contains("NoContact"), notices.get(0));
            System.out.println("ic: stop without guest services: " + notices.get(0));
        }
    }

    /** The counter guest posts its counter's GPA first thing. */
    private static long counterGpa(VmManagementService service, UUID id) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            var m = service.lastGuestMessage(id);
            if (m.isPresent() && m.get().length >= 8) {
                return java.nio.ByteBuffer.wrap(m.get()).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
            }
            Thread.sleep(5);
        }
        throw new AssertionError("the counter guest did not post its counter's address");
    }
}
