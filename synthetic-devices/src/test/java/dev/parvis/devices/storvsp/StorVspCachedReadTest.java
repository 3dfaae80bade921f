package dev.parvis.devices.storvsp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.devices.storvsp.client.StorVscCompletion;
import dev.parvis.devices.storvsp.protocol.ScsiRequest;
import dev.parvis.devices.storvsp.protocol.SrbStatus;
import dev.parvis.devices.storvsp.scsi.BackingDisk;
import dev.parvis.devices.vhdx.CreateRequest;
import dev.parvis.devices.vhdx.OpenOptions;
import dev.parvis.devices.vhdx.VhdxCreator;
import dev.parvis.devices.vhdx.VhdxDisk;
import dev.parvis.vmbus.client.GuestPages;
import dev.parvis.vmcore.hostfile.PageCacheFiles;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A READ that is alone on its channel, or small, is served in the channel's turn when the page cache
 * holds it (a non-waiting preadv2 with RWF_NOWAIT), and handed to the disk's threads when it does not:
 * the turn never waits for the device. Either way the guest gets the disk's bytes.
 */
class StorVspCachedReadTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void aLoneCachedReadNeedsNoDiskThreadAndAnUncachedOneIsHandedToOne() throws Exception {
        try (StorageLoopback s = new StorageLoopback(new StorVsp(StorVsp.controllerInstance(0)))) {
            VhdxDisk disk = s.attach(PageCacheFiles.evictableDirectory(dir), 0, 8 * MIB, false);
            byte[] content = new byte[2 * MIB];
            new Random(3).nextBytes(content);
            disk.write(0, ByteBuffer.wrap(content)); // straight into the file: the page cache holds it
            disk.flush(); // clean pages, which the kernel may drop
            s.ready();
            GuestPages buffer = s.memory.allocate(1);

            assertArrayEquals(Arrays.copyOfRange(content, 8192, 12288), read(s, buffer, 16));
            assertFalse(diskThreadsOf(disk), "a lone cached read ran in the turn, no disk thread started");

            PageCacheFiles.drop(disk.path());
            assertArrayEquals(Arrays.copyOfRange(content, MIB + 4096, MIB + 8192), read(s, buffer, (MIB + 4096) / 512));
            assertTrue(diskThreadsOf(disk), "the uncached read went to a disk thread (the turn does not wait for the device)");
        }
    }

    /**
     * 32 small reads in flight at once are all served in the turn while the page cache holds them (no
     * disk thread starts); once one misses, the rest of an uncached burst goes to the disk's threads
     * without a try each (a miss costs the turn tens of microseconds).
     */
    @Test
    void aBurstOfSmallCachedReadsStaysInTheTurnAndAfterAMissTheBurstGoesToTheDiskThreads() throws Exception {
        try (StorageLoopback s = new StorageLoopback(new StorVsp(StorVsp.controllerInstance(0)))) {
            Path file = PageCacheFiles.evictableDirectory(dir).resolve("counted.vhdx");
            VhdxCreator.create(file, CreateRequest.dynamic(8 * MIB).withBlockSize(MIB));
            VhdxDisk disk = VhdxDisk.open(file, OpenOptions.readWrite());
            s.disks.add(disk); // closed with the loopback
            AtomicInteger tries = new AtomicInteger();
            s.controller.attach(0, counting(new VhdxBackingDisk(disk, false), tries));
            byte[] content = new byte[4 * MIB];
            new Random(5).nextBytes(content);
            disk.write(0, ByteBuffer.wrap(content));
            disk.flush();
            s.ready();

            readBurst(s, content, 0, 32);
            assertEquals(32, tries.get(), "each read of the burst was tried in the turn");
            assertFalse(diskThreadsOf(disk), "the page cache served the whole burst in the turn");

            PageCacheFiles.drop(disk.path());
            readBurst(s, content, 2 * MIB, 16);
            int triedAfterDrop = tries.get() - 32;
            assertTrue(triedAfterDrop >= 1 && triedAfterDrop <= 2,
                    "after the first miss the burst went untried to the disk: " + triedAfterDrop);
            assertTrue(diskThreadsOf(disk));
        }
    }

    /** Reads {@code n} 4 KiB blocks 64 KiB apart from {@code from}, all in flight at once, and checks their bytes. */
    private static void readBurst(StorageLoopback s, byte[] content, int from, int n) throws Exception {
        List<GuestPages> buffers = new ArrayList<>();
        List<CompletableFuture<StorVscCompletion>> reads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            GuestPages page = s.memory.allocate(1);
            buffers.add(page);
            long lba = (from + i * 65536L) / 512;
            reads.add(s.storvsc.execute(s.storvsc.srb(0, Cdb.read10(lba, 8), ScsiRequest.DATA_IN, 4096), page.gpns(), 0,
                    4096));
        }
        for (int i = 0; i < n; i++) {
            StorVscCompletion c = reads.get(i).get(30, TimeUnit.SECONDS);
            assertEquals(SrbStatus.SUCCESS, c.srbStatus(), c.toString());
            int at = from + i * 65536;
            assertArrayEquals(Arrays.copyOfRange(content, at, at + 4096),
                    buffers.get(i).contiguous().asSlice(0, 4096).toArray(ValueLayout.JAVA_BYTE), "read " + i);
        }
    }

    /** {@code disk}, counting in {@code tries} the page-cache reads tried on it. */
    private static BackingDisk counting(BackingDisk disk, AtomicInteger tries) {
        return (BackingDisk) Proxy.newProxyInstance(BackingDisk.class.getClassLoader(), new Class<?>[] {BackingDisk.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("readCached")) {
                        tries.incrementAndGet();
                    }
                    try {
                        return method.invoke(disk, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /**
     * A buffer whose pieces are not whole sectors (PFNs out of order, a byte offset of 256) is read by
     * the disk's threads (the cache read takes whole sectors per piece), and the channel serves the
     * next request: the turn's attempt never ends the channel with an exception.
     */
    @Test
    void aBufferTheTurnCannotReadIntoIsLeftToTheDiskThreads() throws Exception {
        try (StorageLoopback s = new StorageLoopback(new StorVsp(StorVsp.controllerInstance(0)))) {
            s.attach(dir, 0, 8 * MIB, false);
            s.ready();
            GuestPages pages = s.memory.allocate(3);
            pages.contiguous().fill((byte) 0x5A);
            long[] apart = {pages.gpns()[0], pages.gpns()[2]};
            StorVscCompletion odd = s.storvsc.execute(s.storvsc.srb(0, Cdb.read10(0, 8), ScsiRequest.DATA_IN, 4096),
                    apart, 256, 4096).get(30, TimeUnit.SECONDS);
            assertEquals(SrbStatus.SUCCESS, odd.srbStatus(), odd.toString());
            assertEquals(-1, pages.page(0).asSlice(256).mismatch(java.lang.foreign.MemorySegment.ofArray(new byte[3840])),
                    "the new disk's zeros");
            assertEquals(-1, pages.page(2).asSlice(0, 256).mismatch(java.lang.foreign.MemorySegment.ofArray(new byte[256])));
            assertEquals(SrbStatus.SUCCESS, s.run(0, Cdb.read10(8, 8), ScsiRequest.DATA_IN, pages, 0, 4096).srbStatus());
        }
    }

    private static byte[] read(StorageLoopback s, GuestPages buffer, long lba) throws Exception {
        StorVscCompletion c = s.run(0, Cdb.read10(lba, 8), ScsiRequest.DATA_IN, buffer, 0, 4096);
        assertEquals(SrbStatus.SUCCESS, c.srbStatus(), c.toString());
        return buffer.contiguous().asSlice(0, 4096).toArray(ValueLayout.JAVA_BYTE);
    }

    private static boolean diskThreadsOf(VhdxDisk disk) {
        String prefix = "parvis-disk-" + disk.name() + "-";
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith(prefix));
    }
}
