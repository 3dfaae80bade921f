package dev.parvis.devices.storvsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.devices.storvsp.client.StorVscCompletion;
import dev.parvis.devices.storvsp.protocol.ScsiRequest;
import dev.parvis.devices.storvsp.protocol.SrbStatus;
import dev.parvis.vmbus.client.GuestPages;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many requests in flight, completed in the order the disk finishes them, with a bounded number per channel. */
class StorVspConcurrencyTest {
    @TempDir
    Path dir;

    private static CompletableFuture<StorVscCompletion> read(StorageLoopback s, int lun, long lba, GuestPages page)
            throws Exception {
        return s.storvsc.execute(s.storvsc.srb(lun, Cdb.read10(lba, 1), ScsiRequest.DATA_IN, 512), page.gpns(), 0, 512);
    }

    private static void awaitWaiting(GatedDisk disk, int n) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (disk.waiting.get() < n) {
            assertTrue(System.nanoTime() < deadline, "reads reached the disk");
            Thread.sleep(2);
        }
    }

    @Test
    void requestsCompleteInTheOrderTheDiskFinishesThemNotTheOrderSent() throws Exception {
        GatedDisk disk = new GatedDisk(1 << 20);
        int n = DiskQueue.THREADS; // every one at the disk at once
        try (StorageLoopback s = new StorageLoopback(new StorVsp(StorVsp.controllerInstance(0)))) {
            s.controller.attach(0, disk);
            s.ready();
            List<GuestPages> pages = new ArrayList<>();
            List<CompletableFuture<StorVscCompletion>> reads = new ArrayList<>();
            for (int lba = 0; lba < n; lba++) {
                pages.add(s.memory.allocate(1));
                reads.add(read(s, 0, lba, pages.get(lba)));
            }
            awaitWaiting(disk, n);
            disk.open(n - 1);
            StorVscCompletion last = reads.get(n - 1).get(10, TimeUnit.SECONDS);
            assertTrue(last.ok());
            assertTrue(reads.subList(0, n - 1).stream().noneMatch(CompletableFuture::isDone),
                    "the earlier requests are still at the disk");
            assertEquals(n - 1, pages.get(n - 1).contiguous().get(ValueLayout.JAVA_BYTE, 0));
            for (int lba = 0; lba < n - 1; lba++) {
                disk.open(lba);
                assertTrue(reads.get(lba).get(10, TimeUnit.SECONDS).ok());
                assertEquals(lba, pages.get(lba).contiguous().get(ValueLayout.JAVA_BYTE, 511));
            }
        }
    }

    @Test
    void requestsBeyondTheChannelsInFlightBoundAreAnsweredBusyAtOnce() throws Exception {
        GatedDisk disk = new GatedDisk(1 << 20);
        try (StorageLoopback s = new StorageLoopback(new StorVsp(StorVsp.controllerInstance(0), 3))) {
            s.controller.attach(0, disk);
            s.ready();
            GuestPages page = s.memory.allocate(1);
            List<CompletableFuture<StorVscCompletion>> held = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                held.add(read(s, 0, 7, page));
            }
            int atDisk = Math.min(3, DiskQueue.THREADS); // the rest wait in the disk's queue
            awaitWaiting(disk, atDisk);
            for (int i = 0; i < 5; i++) {
                StorVscCompletion busy = read(s, 0, 7, page).get(10, TimeUnit.SECONDS);
                assertEquals(SrbStatus.BUSY.raw(), busy.srbStatus().raw(), busy.toString());
                assertEquals(0x08, busy.scsiStatus());
            }
            assertEquals(atDisk, disk.waiting.get(), "the refused requests never reached the disk");
            disk.open(7);
            for (CompletableFuture<StorVscCompletion> f : held) {
                assertTrue(f.get(10, TimeUnit.SECONDS).ok());
            }
            assertTrue(read(s, 0, 7, page).get(10, TimeUnit.SECONDS).ok(), "room again once they completed");
        }
    }

    @Test
    void aStuckDiskDoesNotHoldUpAnotherDiskOnTheSameController() throws Exception {
        GatedDisk stuck = new GatedDisk(1 << 20);
        GatedDisk fast = new GatedDisk(1 << 20);
        for (int lba = 0; lba < 8; lba++) {
            fast.open(lba);
        }
        try (StorageLoopback s = new StorageLoopback(new StorVsp(StorVsp.controllerInstance(0)))) {
            s.controller.attach(0, stuck);
            s.controller.attach(1, fast);
            s.ready();
            List<CompletableFuture<StorVscCompletion>> blocked = new ArrayList<>();
            for (int i = 0; i < DiskQueue.THREADS * 2; i++) {
                blocked.add(read(s, 0, 0, s.memory.allocate(1)));
            }
            awaitWaiting(stuck, DiskQueue.THREADS);
            for (int lba = 0; lba < 8; lba++) {
                assertTrue(read(s, 1, lba, s.memory.allocate(1)).get(10, TimeUnit.SECONDS).ok());
            }
            assertTrue(blocked.stream().noneMatch(CompletableFuture::isDone), "LUN 0 is still stuck");
            stuck.open(0);
            for (CompletableFuture<StorVscCompletion> f : blocked) {
                assertTrue(f.get(10, TimeUnit.SECONDS).ok());
            }
        }
    }
}
