package dev.parvis.devices.storvsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.devices.storvsp.client.StorVscCompletion;
import dev.parvis.devices.storvsp.protocol.ScsiRequest;
import dev.parvis.devices.storvsp.protocol.SrbStatus;
import dev.parvis.devices.storvsp.scsi.ScsiStatus;
import dev.parvis.devices.storvsp.scsi.Sense;
import dev.parvis.vmbus.client.GuestPages;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request whose disk fails in a way nobody planned for (a bug, an unchecked exception from the
 * backing store) still gets its one completion: CHECK CONDITION, HARDWARE ERROR / INTERNAL TARGET
 * FAILURE, as a real target reports an internal fault. Without it the guest's driver waits for the
 * request until its timeout, and a save waits for it forever.
 */
class StorVspDiskFailureTest {
    @TempDir
    Path dir;

    @Test
    void anUnexpectedFailureOnTheDisksThreadIsAnsweredAsAnInternalTargetFailure() throws Exception {
        try (StorageLoopback s = new StorageLoopback(new StorVsp(StorVsp.controllerInstance(0)))) {
            GatedDisk failing = new GatedDisk(1 << 20);
            failing.readFailure = new UnsupportedOperationException("injected: the backing store failed unexpectedly");
            s.controller.attach(0, failing);
            s.attach(dir, 1, 1 << 20, false);
            s.ready();
            GuestPages buffer = s.memory.allocate(1);
            StorVscCompletion failed = s.run(0, Cdb.read10(0, 8), ScsiRequest.DATA_IN, buffer, 0, 4096);
            assertFalse(failed.ok());
            assertEquals(SrbStatus.ERROR.withAutosense().raw(), failed.srbStatus().raw(), failed.toString());
            assertEquals(ScsiStatus.CHECK_CONDITION.raw(), failed.scsiStatus());
            assertEquals(Sense.INTERNAL_TARGET_FAILURE, failed.sense());
            assertTrue(s.controller.quiesce(java.time.Duration.ofSeconds(5)), "nothing left for a save to wait for");
            s.controller.unquiesce();
            StorVscCompletion next = s.run(1, Cdb.read10(0, 8), ScsiRequest.DATA_IN, buffer, 0, 4096);
            assertTrue(next.ok(), "the channel and the other LUN go on: " + next);
        }
    }
}
