package dev.parvis.devices.storvsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.devices.storvsp.client.StorVsc;
import dev.parvis.devices.storvsp.client.StorVscCompletion;
import dev.parvis.devices.storvsp.protocol.ScsiRequest;
import dev.parvis.devices.storvsp.protocol.SrbStatus;
import dev.parvis.devices.storvsp.protocol.VstorPacket;
import dev.parvis.devices.vhdx.VhdxDisk;
import dev.parvis.vmbus.client.GuestPages;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
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

    /** Submits one 4 KiB request per slot of {@code pages}, then reaps until each has completed once. */
    private static void roundTrip(StorVsc storvsc, GuestPages[] pages, boolean write) throws Exception {
        Map<Long, Integer> inFlight = new HashMap<>();
        for (int i = 0; i < pages.length; i++) {
            byte[] cdb = write ? Cdb.write10(8L * i, 8) : Cdb.read10(8L * i, 8);
            ScsiRequest srb = storvsc.srb(0, cdb, write ? ScsiRequest.DATA_OUT : ScsiRequest.DATA_IN, 4096);
            inFlight.put(storvsc.submit(srb, StorVsc.rangeHeader(pages[i].gpns(), 0, 4096)), i);
        }
        while (!inFlight.isEmpty()) {
            int read = storvsc.reap((tx, packet) -> {
                assertTrue(inFlight.remove(tx) != null, "completion of transaction " + tx + " is not in flight");
                ScsiRequest srb = ScsiRequest.read(packet.asSlice(VstorPacket.HEADER_SIZE));
                assertEquals(SrbStatus.SUCCESS.raw(), srb.srbStatus(), srb.toString());
                assertEquals(4096, srb.dataTransferLength());
            });
            assertTrue(read > 0, "completions came within the timeout");
        }
    }

    @Test
    void aPolledClientReapsEveryCompletionOnItsOwnThreadWithTheData() throws Exception {
        try (StorageLoopback s = new StorageLoopback(new StorVsp(StorVsp.controllerInstance(0)))) {
            s.attach(dir, 0, 8 << 20, false);
            StorVsc storvsc = s.readyPolled();
            GuestPages[] out = new GuestPages[16];
            GuestPages[] in = new GuestPages[16];
            for (int i = 0; i < out.length; i++) {
                out[i] = s.memory.allocate(1);
                pattern(out[i], i);
                in[i] = s.memory.allocate(1);
            }
            roundTrip(storvsc, out, true);
            roundTrip(storvsc, in, false);
            for (int i = 0; i < out.length; i++) {
                assertEquals(-1, out[i].contiguous().mismatch(in[i].contiguous()), "slot " + i);
            }
            assertTrue(s.memory.guardsIntact(), "nothing outside the guest's buffers was touched");
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

    /** The bytes a GPA-direct range of {@code pages} (indexes into {@code all}) starting {@code offset} bytes in holds. */
    private static byte[] gather(GuestPages all, int[] pages, int offset, int length) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            int at = offset + i;
            out[i] = all.page(pages[at / 4096]).get(ValueLayout.JAVA_BYTE, at % 4096);
        }
        return out;
    }

    private static long[] gpns(GuestPages all, int[] pages) {
        return java.util.Arrays.stream(pages).mapToLong(p -> all.gpns()[p]).toArray();
    }

    /**
     * A buffer on pages that are not next to each other, starting at a byte offset that splits
     * sectors between them (as a guest's scatter list may), moves the same bytes as a contiguous one:
     * every split sector is written and read whole, none is refused as a medium error.
     */
    @Test
    void aBufferThatSplitsSectorsBetweenScatteredPagesWritesAndReadsTheRightBytes() throws Exception {
        try (StorageLoopback s = new StorageLoopback(new StorVsp(StorVsp.controllerInstance(0)))) {
            VhdxDisk disk = s.attach(dir, 0, 8 << 20, false);
            s.ready();
            GuestPages out = s.memory.allocate(6);
            pattern(out, 11);
            int[] scattered = {4, 1, 3};
            StorVscCompletion written = s.storvsc.execute(s.storvsc.srb(0, Cdb.write10(40, 16), ScsiRequest.DATA_OUT, 8192),
                    gpns(out, scattered), 700, 8192).get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(written.ok(), written.toString());
            byte[] sent = gather(out, scattered, 700, 8192);
            ByteBuffer file = ByteBuffer.allocate(8192);
            disk.read(40 * 512, file);
            assertEquals(-1, java.util.Arrays.mismatch(sent, file.array()), "the file holds the buffer's bytes");

            GuestPages in = s.memory.allocate(6);
            int[] back = {5, 0, 2};
            StorVscCompletion read = s.storvsc.execute(s.storvsc.srb(0, Cdb.read10(40, 16), ScsiRequest.DATA_IN, 8192),
                    gpns(in, back), 3001, 8192).get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(read.ok(), read.toString());
            assertEquals(-1, java.util.Arrays.mismatch(sent, gather(in, back, 3001, 8192)), "the buffer holds the file's bytes");
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
