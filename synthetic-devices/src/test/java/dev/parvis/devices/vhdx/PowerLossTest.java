package dev.parvis.devices.vhdx;

import dev.parvis.devices.vhdx.storage.HeapStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Crash consistency under power loss, in process: a writer (writes, flushes, a resize) is cut after a
 * random number of storage operations, the file is rebuilt as a power cut could leave it, and then it
 * must open (replaying the log), both read-only (replay in memory) and read-write (replay in place),
 * showing every flushed write, and for every other sector either its flushed content or one of the
 * values written to it since.
 */
class PowerLossTest {
    private static final long MIB = 1 << 20;
    private static final int SECTOR = 512;
    private static final long SIZE = 4 * MIB;
    private static final long GROWN = 5 * MIB;
    private static final int CUTS = 80;

    /** What the disk must show: the flushed image plus, per sector, the values written since. */
    private static final class Model {
        byte[] flushed;
        byte[] current;
        long flushedSize;
        long currentSize;
        final Map<Integer, List<byte[]>> since = new HashMap<>();

        Model(byte[] initial, long size) {
            flushed = Arrays.copyOf(initial, (int) (GROWN));
            current = flushed.clone();
            flushedSize = size;
            currentSize = size;
        }

        /** Recorded before the write is issued: a write cut short may have landed in part. */
        void wrote(long offset, byte[] data) {
            System.arraycopy(data, 0, current, (int) offset, data.length);
            for (int s = 0; s < data.length / SECTOR; s++) {
                since.computeIfAbsent((int) (offset / SECTOR) + s, k -> new ArrayList<>())
                        .add(Arrays.copyOfRange(data, s * SECTOR, (s + 1) * SECTOR));
            }
        }

        void flushed() {
            flushed = current.clone();
            flushedSize = currentSize;
            since.clear();
        }

        void check(byte[] actual, long size, String what) {
            assertTrue(size == flushedSize || size == currentSize, what + ": size " + size);
            for (int s = 0; s < actual.length / SECTOR; s++) {
                byte[] got = Arrays.copyOfRange(actual, s * SECTOR, (s + 1) * SECTOR);
                if (Arrays.equals(got, Arrays.copyOfRange(flushed, s * SECTOR, (s + 1) * SECTOR))) {
                    continue;
                }
                boolean later = since.getOrDefault(s, List.of()).stream().anyMatch(v -> Arrays.equals(v, got));
                if (!later) {
                    fail(what + ": sector " + s + " holds neither its flushed content nor a later write");
                }
            }
        }
    }

    /** What the writer does until the cut. */
    private interface Workload {
        void run(VhdxDisk disk, Model model, Random random) throws IOException;
    }

    @Test
    void dynamicDisksSurviveAPowerCutAtAnyStorageOperation() throws Exception {
        run(false, CUTS, 1, 400, PowerLossTest::workload);
    }

    @Test
    void differencingDisksSurviveAPowerCutAtAnyStorageOperation() throws Exception {
        run(true, CUTS, 1, 400, PowerLossTest::workload);
    }

    /**
     * Hundreds of small flushed writes, each logging one sector bitmap sector, fill the 1 MiB log ring
     * several times; cuts land after the active sequence has wrapped round the end of the ring.
     */
    @Test
    void aLogWhoseActiveSequenceWrapsRoundTheRingSurvivesAPowerCut() throws Exception {
        run(true, 30, 900, 2500, PowerLossTest::ringWorkload);
    }

    private static void ringWorkload(VhdxDisk disk, Model model, Random random) throws IOException {
        for (int i = 0; i < 600; i++) {
            byte[] data = new byte[SECTOR];
            random.nextBytes(data);
            long offset = (long) (i * 13 % (int) (SIZE / SECTOR)) * SECTOR;
            model.wrote(offset, data);
            disk.write(offset, ByteBuffer.wrap(data));
            disk.flush();
            model.flushed();
        }
    }

    private void run(boolean differencing, int cuts, int minOperations, int maxOperations, Workload workload)
            throws Exception {
        HeapStorage parentImage = differencing ? parentImage() : null;
        byte[] parentBytes = differencing ? readAll(open(parentImage.toByteArray(), null, false)) : new byte[(int) (SIZE)];
        byte[] fresh = newImage(parentImage);
        // Each cut has its own seed, storage and model (the images above are only copied), so the cuts
        // run on every core: the same cuts and checks as one after the other, in less time.
        long replayedSomewhere = IntStream.range(0, cuts).parallel().filter(cut -> {
            try {
                return cut(differencing, cut, minOperations, maxOperations, workload, parentImage, parentBytes, fresh);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).count();
        assertTrue(replayedSomewhere > cuts / 10, "cuts that left a log to replay: " + replayedSomewhere);
    }

    /** One power cut and its checks; true when reopening it replayed a log. */
    private static boolean cut(boolean differencing, int cut, int minOperations, int maxOperations, Workload workload,
                               HeapStorage parentImage, byte[] parentBytes, byte[] fresh) throws IOException {
        Random random = new Random(cut * 31L + (differencing ? 7 : 0) + maxOperations);
        PowerLossStorage storage = new PowerLossStorage(fresh, minOperations + random.nextInt(maxOperations - minOperations));
        Model model = new Model(parentBytes, SIZE);
        try {
            workload.run(VhdxDisk.open(storage, resolver(parentImage)), model, random);
        } catch (PowerLossStorage.PowerCut expected) {
            // the writer stopped here, as a killed process would
        }
        byte[] image = storage.afterPowerLoss(random);
        String what = (differencing ? "differencing" : "dynamic") + " cut " + cut;
        byte[] readOnly;
        long readOnlySize;
        boolean replayed;
        try (VhdxDisk disk = open(image, parentImage, false)) {
            readOnly = readAll(disk);
            readOnlySize = disk.size();
            replayed = disk.inspect().logEntriesReplayed() > 0;
        }
        model.check(readOnly, readOnlySize, what + " (read-only replay)");
        HeapStorage writable = new HeapStorage("replayed", image, true);
        try (VhdxDisk disk = VhdxDisk.open(writable, resolver(parentImage))) {
            assertArrayEquals(readOnly, readAll(disk), what + ": in-memory and in-place replay agree");
            assertEquals(readOnlySize, disk.size());
        }
        try (VhdxDisk disk = open(writable.toByteArray(), parentImage, false)) {
            assertEquals(0, disk.inspect().logEntriesReplayed(), what + ": a replayed file is clean");
            assertArrayEquals(readOnly, readAll(disk));
        }
        return replayed;
    }

    private static void workload(VhdxDisk disk, Model model, Random random) throws IOException {
        for (int op = 0; op < 60; op++) {
            int choice = random.nextInt(10);
            if (choice < 6) {
                int sectors = 1 + random.nextInt(random.nextBoolean() ? 8 : 300);
                long offset = (long) random.nextInt((int) (model.currentSize / SECTOR) - sectors) * SECTOR;
                byte[] data = new byte[sectors * SECTOR];
                random.nextBytes(data);
                model.wrote(offset, data);
                disk.write(offset, ByteBuffer.wrap(data));
            } else if (choice < 9) {
                disk.flush();
                model.flushed();
            } else if (model.currentSize == SIZE) {
                model.currentSize = GROWN;
                disk.resize(GROWN);
            }
        }
    }

    private static byte[] readAll(VhdxDisk disk) throws IOException {
        byte[] out = new byte[(int) disk.size()];
        disk.read(0, ByteBuffer.wrap(out));
        return out;
    }

    private static VhdxDisk open(byte[] image, HeapStorage parent, boolean writable) throws IOException {
        return VhdxDisk.open(new HeapStorage("image", image, writable), resolver(parent));
    }

    private static VhdxDisk.ParentResolver resolver(HeapStorage parent) {
        return (locator, depth) -> VhdxDisk.open(new HeapStorage("parent", parent.toByteArray(), false), null);
    }

    private static HeapStorage parentImage() throws IOException {
        HeapStorage parent = HeapStorage.empty("parent");
        VhdxCreator.write(parent, CreateRequest.dynamic(SIZE).withBlockSize(MIB), null);
        try (VhdxDisk disk = VhdxDisk.open(parent, null)) {
            byte[] data = new byte[(int) (3 * MIB)];
            new Random(5).nextBytes(data);
            disk.write(MIB, ByteBuffer.wrap(data));
        }
        return parent;
    }

    private static byte[] newImage(HeapStorage parent) throws IOException {
        HeapStorage image = HeapStorage.empty("new");
        if (parent == null) {
            VhdxCreator.write(image, CreateRequest.dynamic(SIZE).withBlockSize(MIB), null);
        } else {
            try (VhdxDisk p = VhdxDisk.open(new HeapStorage("parent", parent.toByteArray(), false), null)) {
                VhdxCreator.write(image, CreateRequest.differencing(java.nio.file.Path.of("parent.vhdx")).withBlockSize(MIB),
                        new VhdxCreator.ParentLink(p, "parent.vhdx"));
            }
        }
        return image.toByteArray();
    }

}
