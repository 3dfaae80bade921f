package dev.parvis.devices.storvsp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.devices.storvsp.client.StorVscCompletion;
import dev.parvis.devices.storvsp.protocol.ScsiRequest;
import dev.parvis.devices.storvsp.protocol.SrbStatus;
import dev.parvis.devices.vhdx.VhdxDisk;
import dev.parvis.vmbus.client.GuestPages;
import dev.parvis.vmcore.hostfile.PageCacheFiles;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A READ that is alone on its channel is served in the channel's turn when the page cache holds it
 * (a non-waiting preadv2 with RWF_NOWAIT), and handed to the disk's threads when it does not: the turn
 * never waits for the device. Either way the guest gets the disk's bytes.
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
     * A buffer whose pieces are not whole sectors (PFNs out of order, a byte offset of 256) is answered
     * as the disk's threads answer it, and the channel serves the next request: the turn's attempt
     * never ends the channel with an exception.
     */
    @Test
    void aBufferTheTurnCannotReadIntoIsLeftToTheDiskThreads() throws Exception {
        try (StorageLoopback s = new StorageLoopback(new StorVsp(StorVsp.controllerInstance(0)))) {
            s.attach(dir, 0, 8 * MIB, false);
            s.ready();
            GuestPages pages = s.memory.allocate(3);
            long[] apart = {pages.gpns()[0], pages.gpns()[2]};
            StorVscCompletion odd = s.storvsc.execute(s.storvsc.srb(0, Cdb.read10(0, 8), ScsiRequest.DATA_IN, 4096),
                    apart, 256, 4096).get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(SrbStatus.ERROR.withAutosense(), odd.srbStatus(), odd.toString());
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
