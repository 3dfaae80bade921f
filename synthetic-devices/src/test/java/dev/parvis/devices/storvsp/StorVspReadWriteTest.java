package dev.parvis.devices.storvsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.devices.storvsp.client.StorVscCompletion;
import dev.parvis.devices.storvsp.protocol.ScsiRequest;
import dev.parvis.devices.vhdx.VhdxDisk;
import dev.parvis.vmbus.client.GuestPages;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StorVspReadWriteTest {
    @TempDir
    Path dir;

    private static void pattern(GuestPages pages, int seed) {
        MemorySegment all = pages.contiguous();
        for (long i = 0; i < all.byteSize(); i++) {
            all.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 7 + seed));
        }
    }

    @Test
    void write10ThenRead16ReturnsTheSameBytesAndTheFileHoldsThem() throws Exception {
        try (StorageLoopback s = new StorageLoopback(new StorVsp(StorVsp.controllerInstance(0)))) {
            VhdxDisk disk = s.attach(dir, 0, 8 << 20, false);
            s.ready();
            GuestPages out = s.memory.allocate(4);
            pattern(out, 3);
            // 3 pages of data starting 512 bytes into the first page: an unaligned, page-crossing buffer.
            StorVscCompletion written = s.run(0, Cdb.write10(100, 24), ScsiRequest.DATA_OUT, out, 512, 24 * 512);
            assertTrue(written.ok(), written.toString());
            assertEquals(24 * 512, written.transferred());

            GuestPages in = s.memory.allocate(4);
            StorVscCompletion read = s.run(0, Cdb.read16(100, 24), ScsiRequest.DATA_IN, in, 0, 24 * 512);
            assertTrue(read.ok(), read.toString());
            assertEquals(-1, out.contiguous().asSlice(512, 24 * 512).mismatch(in.contiguous().asSlice(0, 24 * 512)));

            ByteBuffer file = ByteBuffer.allocate(24 * 512);
            disk.read(100 * 512, file);
            assertEquals(-1, MemorySegment.ofArray(file.array()).mismatch(out.contiguous().asSlice(512, 24 * 512)));
            assertTrue(s.memory.guardsIntact(), "nothing outside the guest's buffers was touched");
        }
    }

    @Test
    void write16AndRead10AtTheLastSectorsOfTheDiskWork() throws Exception {
        try (StorageLoopback s = new StorageLoopback(new StorVsp(StorVsp.controllerInstance(0)))) {
            s.attach(dir, 0, 4 << 20, false);
            s.ready();
            long last = (4 << 20) / 512 - 8;
            GuestPages out = s.memory.allocate(1);
            pattern(out, 9);
            assertTrue(s.run(0, Cdb.write16(last, 8), ScsiRequest.DATA_OUT, out, 0, 4096).ok());
            GuestPages in = s.memory.allocate(1);
            assertTrue(s.run(0, Cdb.read10(last, 8), ScsiRequest.DATA_IN, in, 0, 4096).ok());
            assertEquals(-1, out.contiguous().mismatch(in.contiguous()));
        }
    }

    @Test
    void aCompletedWriteToANewBlockIsInTheFileAsAProcessKillWouldLeaveIt() throws Exception {
        try (StorageLoopback s = new StorageLoopback(new StorVsp(StorVsp.controllerInstance(0)))) {
            VhdxDisk disk = s.attach(dir, 0, 8 << 20, false);
            s.ready();
            GuestPages out = s.memory.allocate(2);
            pattern(out, 5);
            long lba = (3 << 20) / 512 + 16; // inside the fourth 1 MiB block, not allocated yet
            assertTrue(s.run(0, Cdb.write16(lba, 16), ScsiRequest.DATA_OUT, out, 0, 8192).ok());
            assertTrue(!disk.metadataPending(), "the allocation was committed before the write completed");
            // A second reader of the file sees what a restarted host would: the log replayed, no flush.
            try (VhdxDisk after = VhdxDisk.open(disk.path(), dev.parvis.devices.vhdx.OpenOptions.readOnly())) {
                ByteBuffer b = ByteBuffer.allocate(8192);
                after.read(lba * 512, b);
                assertEquals(-1, MemorySegment.ofArray(b.array()).mismatch(out.contiguous().asSlice(0, 8192)));
            }
        }
    }
}
