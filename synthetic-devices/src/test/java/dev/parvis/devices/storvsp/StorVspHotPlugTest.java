package dev.parvis.devices.storvsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.devices.storvsp.protocol.ScsiRequest;
import dev.parvis.devices.storvsp.protocol.SrbStatus;
import dev.parvis.devices.storvsp.scsi.Sense;
import dev.parvis.vmbus.client.GuestPages;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Disks attached and removed while the guest runs: a unit attention on the others, and a rescan packet. */
class StorVspHotPlugTest {
    @TempDir
    Path dir;

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    @Test
    void aDiskAddedWhileRunningRaisesReportedLunsChangedAndAnEnumerateBus() throws Exception {
        try (StorageLoopback s = new StorageLoopback(new StorVsp(StorVsp.controllerInstance(0)))) {
            s.attach(dir, 0, 1 << 20, false);
            s.ready();
            assertTrue(s.run(0, Cdb.testUnitReady(), ScsiRequest.DATA_UNKNOWN, null, 0, 0).ok());
            s.attach(dir, 2, 1 << 20, false);
            await("ENUMERATE_BUS", () -> s.storvsc.rescans() == 1);
            assertEquals(Sense.REPORTED_LUNS_DATA_CHANGED,
                    s.run(0, Cdb.testUnitReady(), ScsiRequest.DATA_UNKNOWN, null, 0, 0).sense());
            assertTrue(s.run(0, Cdb.testUnitReady(), ScsiRequest.DATA_UNKNOWN, null, 0, 0).ok(), "reported once");
            GuestPages buffer = s.memory.allocate(1);
            assertTrue(s.run(0, Cdb.reportLuns(64), ScsiRequest.DATA_IN, buffer, 0, 64).ok());
            assertEquals(16, buffer.contiguous().asByteBuffer().getInt(0));
            assertEquals(2, ByteBuffer.wrap(buffer.contiguous().asSlice(16, 2).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).getShort());
            assertTrue(s.run(2, Cdb.testUnitReady(), ScsiRequest.DATA_UNKNOWN, null, 0, 0).ok(), "the new disk works");
        }
    }

    @Test
    void aDiskRemovedWhileRunningAnswersInvalidLunAndTheOthersSeeTheChange() throws Exception {
        try (StorageLoopback s = new StorageLoopback(new StorVsp(StorVsp.controllerInstance(0)))) {
            s.attach(dir, 0, 1 << 20, false);
            s.attach(dir, 1, 1 << 20, false);
            s.ready();
            assertTrue(s.controller.detach(1).isPresent());
            await("ENUMERATE_BUS", () -> s.storvsc.rescans() == 1);
            assertEquals(SrbStatus.INVALID_LUN.raw(),
                    s.run(1, Cdb.testUnitReady(), ScsiRequest.DATA_UNKNOWN, null, 0, 0).srbStatus().raw());
            GuestPages buffer = s.memory.allocate(1);
            assertTrue(s.run(0, Cdb.reportLuns(64), ScsiRequest.DATA_IN, buffer, 0, 64).ok(),
                    "REPORT LUNS is not held up by the unit attention");
            assertTrue(s.run(0, Cdb.testUnitReady(), ScsiRequest.DATA_UNKNOWN, null, 0, 0).ok(),
                    "REPORT LUNS cleared REPORTED LUNS DATA HAS CHANGED");
        }
    }
}
