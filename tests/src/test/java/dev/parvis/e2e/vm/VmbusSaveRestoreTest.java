package dev.parvis.e2e.vm;

import static dev.parvis.e2e.vm.VmFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.e2e.OnEachBackend;
import dev.parvis.root.config.DeviceConfig;
import dev.parvis.root.config.VmConfig;
import dev.parvis.root.vm.VmManagementService;
import dev.parvis.root.vm.VmState;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A VM running the vmbus-hostile guest (VMBus connected, echo channel open, waiting for root
 * commands between echo checks) is saved while its channel is open and restored; the guest's same
 * channel still echoes afterwards: scenario 99 (no hostile action) replies echo_still_works = 1,
 * which the guest reports without reopening the channel when the previous check passed.
 */
@OnEachBackend
class VmbusSaveRestoreTest {
    @TempDir
    Path dataDir;

    /** The guest's reply: {u32 scenario, u32 observed_status, u32 echo_still_works}. */
    private record Reply(int scenario, int observed, int echo) {}

    @Test
    void aVmSavedWithAnOpenEchoChannelEchoesOnTheSameChannelAfterRestore() throws Exception {
        try (VmFixture f = new VmFixture(dataDir, 96L << 20)) {
            VmManagementService s = f.service;
            VmConfig config = VmConfig.create("vmbus-save", "vmbus-hostile").withDevices(List.of(new DeviceConfig.EchoDevice()));
            UUID id = s.create(config).id();
            assertInstanceOf(VmState.Running.class, await(s.start(id)));

            // Scenario 98 is unknown to the guest: it only checks its echo channel (opened at boot).
            Reply before = command(f, id, 98);
            assertEquals(1, before.echo(), "echo works before the save");
            long bytesBefore = s.metrics(id).vmbusBytesIn();
            assertTrue(bytesBefore > 0, "echo traffic counted");

            assertInstanceOf(VmState.Saved.class, await(s.save(id)));
            Path saved = f.store.savedStatePath(id);
            assertTrue(Files.isRegularFile(saved));
            System.out.printf("vmbus save: saved with the echo channel open, saved.state %d bytes%n", Files.size(saved));

            assertInstanceOf(VmState.Running.class, await(s.start(id)));
            Reply after = command(f, id, 99);
            assertEquals(1, after.echo(), "the channel opened before the save still echoes after the restore");
            assertTrue(s.metrics(id).vmbusBytesIn() > bytesBefore, "the restored echo device saw the guest's packet");
            // And again, to be sure the rings keep going.
            assertEquals(1, command(f, id, 97).echo());
            System.out.printf("vmbus save: after restore scenario 99 echo_still_works=%d, VMBus bytes in %d%n", after.echo(),
                    s.metrics(id).vmbusBytesIn());

            assertInstanceOf(VmState.Off.class, await(s.turnOff(id)));
        }
    }

    /** Sends {u32 scenario} to the guest and waits for its reply to that scenario. */
    private static Reply command(VmFixture f, UUID id, int scenario) throws Exception {
        f.service.postGuestMessage(id, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(scenario).array());
        long deadline = System.nanoTime() + VmFixture.TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<byte[]> m = f.service.lastGuestMessage(id);
            if (m.isPresent() && m.get().length >= 12) {
                ByteBuffer b = ByteBuffer.wrap(m.get()).order(ByteOrder.LITTLE_ENDIAN);
                Reply r = new Reply(b.getInt(), b.getInt(), b.getInt());
                if (r.scenario() == scenario) {
                    return r;
                }
            }
            Thread.sleep(5);
        }
        throw new TimeoutException("the guest did not answer scenario " + scenario);
    }
}
