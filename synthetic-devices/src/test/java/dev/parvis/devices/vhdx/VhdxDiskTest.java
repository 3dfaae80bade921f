package dev.parvis.devices.vhdx;

import dev.parvis.devices.vhdx.format.VhdxFormatException;
import dev.parvis.devices.vhdx.format.VhdxStructure;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Creating, reading, writing and growing fixed and dynamic disks, from one thread and from many. */
class VhdxDiskTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    private Path dynamic(String name, long size, long blockSize, int sector) throws IOException {
        Path path = dir.resolve(name);
        VhdxCreator.create(path, CreateRequest.dynamic(size).withBlockSize(blockSize).withSectorSizes(sector, 4096));
        return path;
    }

    @Test
    void unwrittenDynamicDiskReadsAsZerosAndAllocatesNothing() throws Exception {
        Path path = dynamic("empty.vhdx", 16 * MIB, MIB, 512);
        try (VhdxDisk disk = VhdxDisk.open(path, OpenOptions.readOnly())) {
            assertArrayEquals(new byte[(int) (16 * MIB)], Bytes.readAll(disk));
            assertEquals(DiskType.DYNAMIC, disk.type());
            assertEquals(0, disk.inspect().allocatedBlocks());
        }
        assertEquals(4 * MIB, Files.size(path), "header section, log, BAT, metadata: nothing else");
    }

    @ParameterizedTest(name = "logical sector {0}")
    @ValueSource(ints = {512, 4096})
    void writesReadBackAcrossBlockBoundariesAndReopens(int sector) throws Exception {
        Path path = dynamic("rw-" + sector + ".vhdx", 8 * MIB, MIB, sector);
        byte[] expected = new byte[(int) (8 * MIB)];
        Random random = new Random(sector);
        try (VhdxDisk disk = VhdxDisk.open(path, OpenOptions.readWrite())) {
            assertEquals(sector, disk.logicalSectorSize());
            for (int i = 0; i < 60; i++) {
                int length = (1 + random.nextInt(600)) * sector;
                long offset = (long) random.nextInt((int) ((8 * MIB - length) / sector)) * sector;
                byte[] data = Bytes.random(i, length);
                Bytes.write(disk, offset, data);
                System.arraycopy(data, 0, expected, (int) offset, length);
            }
            assertArrayEquals(expected, Bytes.readAll(disk));
        }
        try (VhdxDisk disk = VhdxDisk.open(path, OpenOptions.readOnly())) {
            assertArrayEquals(expected, Bytes.readAll(disk));
            assertEquals(0, disk.inspect().logEntriesReplayed(), "a clean close leaves nothing to replay");
        }
    }

    @Test
    void fixedDiskHasEveryBlockAllocatedAndDoesNotGrowOnWrite() throws Exception {
        Path path = dir.resolve("fixed.vhdx");
        VhdxCreator.create(path, CreateRequest.fixed(6 * MIB).withBlockSize(2 * MIB));
        long size = Files.size(path);
        assertEquals(4 * MIB + 6 * MIB, size);
        try (VhdxDisk disk = VhdxDisk.open(path, OpenOptions.readWrite())) {
            assertEquals(DiskType.FIXED, disk.type());
            assertEquals(3, disk.inspect().allocatedBlocks());
            Bytes.write(disk, 3 * MIB, Bytes.random(1, (int) MIB));
            disk.flush();
            assertArrayEquals(Bytes.random(1, (int) MIB), Bytes.read(disk, 3 * MIB, (int) MIB));
        }
        assertEquals(size, Files.size(path));
    }

    @Test
    void manyThreadsWritingAndFlushingTheSameBlocksAtOnceLoseNothing() throws Exception {
        Path path = dynamic("threads.vhdx", 32 * MIB, MIB, 512);
        int threads = 8;
        int slot = 4096;
        int slots = (int) (32 * MIB / slot);
        byte[] expected = new byte[(int) (32 * MIB)];
        try (VhdxDisk disk = VhdxDisk.open(path, OpenOptions.readWrite());
             ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    Random random = new Random(thread);
                    for (int i = 0; i < 400; i++) {
                        int s = random.nextInt(slots / threads) * threads + thread;
                        byte[] data = Bytes.random(thread * 1000L + i, slot);
                        Bytes.write(disk, (long) s * slot, data);
                        synchronized (expected) {
                            System.arraycopy(data, 0, expected, s * slot, slot);
                        }
                        if (i % 50 == 0) {
                            disk.flush();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            assertArrayEquals(expected, Bytes.readAll(disk));
        }
        try (VhdxDisk disk = VhdxDisk.open(path, OpenOptions.readOnly())) {
            assertArrayEquals(expected, Bytes.readAll(disk));
            assertTrue(disk.inspect().allocatedBlocks() <= 32, "each block allocated once");
        }
    }

    @Test
    void growingKeepsDataForDynamicAndFixedDisksIncludingARelocatedBat() throws Exception {
        Path dyn = dynamic("grow.vhdx", 4 * MIB, MIB, 512);
        Path fixed = dir.resolve("grow-fixed.vhdx");
        VhdxCreator.create(fixed, CreateRequest.fixed(4 * MIB).withBlockSize(MIB));
        for (Path path : List.of(dyn, fixed)) {
            byte[] data = Bytes.random(7, (int) (4 * MIB));
            try (VhdxDisk disk = VhdxDisk.open(path, OpenOptions.readWrite())) {
                Bytes.write(disk, 0, data);
                disk.resize(6 * MIB);
                assertEquals(6 * MIB, disk.size());
                Bytes.write(disk, 5 * MIB, data, 0, (int) MIB);
                disk.resize(200L << 30);
                Bytes.write(disk, (200L << 30) - MIB, data, 0, (int) MIB);
            }
            try (VhdxDisk disk = VhdxDisk.open(path, OpenOptions.readOnly())) {
                assertEquals(200L << 30, disk.size());
                assertArrayEquals(data, Bytes.read(disk, 0, (int) (4 * MIB)), path.toString());
                assertArrayEquals(Arrays.copyOf(data, (int) MIB), Bytes.read(disk, 5 * MIB, (int) MIB));
                assertArrayEquals(Arrays.copyOf(data, (int) MIB), Bytes.read(disk, (200L << 30) - MIB, (int) MIB));
                assertArrayEquals(new byte[(int) MIB], Bytes.read(disk, 4 * MIB, (int) MIB));
                VhdxInfo info = disk.inspect();
                assertTrue(info.regions().stream().anyMatch(r -> r.name().equals("BAT") && r.length() > MIB),
                        "200 GiB of 1 MiB blocks needs a BAT larger than the original 1 MiB region");
            }
        }
    }

    @Test
    void shrinkingAndUnalignedSizesAreRefused() throws Exception {
        Path path = dynamic("shrink.vhdx", 4 * MIB, MIB, 512);
        try (VhdxDisk disk = VhdxDisk.open(path, OpenOptions.readWrite())) {
            assertThrows(IllegalArgumentException.class, () -> disk.resize(2 * MIB));
            assertThrows(IllegalArgumentException.class, () -> disk.resize(4 * MIB + 100));
            assertEquals(4 * MIB, disk.size());
        }
    }

    @Test
    void requestsOutsideTheDiskOrOffSectorAreRefusedBeforeAnyIo() throws Exception {
        Path path = dynamic("bounds.vhdx", 4 * MIB, MIB, 4096);
        try (VhdxDisk disk = VhdxDisk.open(path, OpenOptions.readWrite())) {
            assertThrows(IllegalArgumentException.class, () -> disk.read(4 * MIB, ByteBuffer.allocate(4096)));
            assertThrows(IllegalArgumentException.class, () -> disk.read(4 * MIB - 4096, ByteBuffer.allocate(8192)));
            assertThrows(IllegalArgumentException.class, () -> disk.write(512, ByteBuffer.allocate(4096)));
            assertThrows(IllegalArgumentException.class, () -> disk.write(0, ByteBuffer.allocate(512)));
            assertThrows(IllegalArgumentException.class, () -> disk.read(-4096, ByteBuffer.allocate(4096)));
            assertThrows(IllegalArgumentException.class, () -> disk.read(Long.MAX_VALUE - 4095, ByteBuffer.allocate(8192)));
            assertEquals(0, disk.inspect().allocatedBlocks());
        }
    }

    @Test
    void readOnlyDisksRefuseWritesAndSecondWritersAreRefused() throws Exception {
        Path path = dynamic("ro.vhdx", 4 * MIB, MIB, 512);
        try (VhdxDisk disk = VhdxDisk.open(path, OpenOptions.readOnly())) {
            IOException e = assertThrows(IOException.class, () -> Bytes.write(disk, 0, new byte[512]));
            assertTrue(e.getMessage().contains("read-only"), e.getMessage());
        }
        try (VhdxDisk writer = VhdxDisk.open(path, OpenOptions.readWrite())) {
            IOException e = assertThrows(IOException.class, () -> VhdxDisk.open(path, OpenOptions.readWrite()));
            assertTrue(e.getMessage().contains("already open for writing"), e.getMessage());
        }
    }

    @Test
    void onlyRegularFilesAreOpenedNeverLinksDevicesOrFifos() throws Exception {
        Path path = dynamic("real.vhdx", 4 * MIB, MIB, 512);
        Path link = Files.createSymbolicLink(dir.resolve("link.vhdx"), path);
        assertRefused(VhdxStructure.FILE, () -> VhdxDisk.open(link, OpenOptions.readOnly()));
        assertRefused(VhdxStructure.FILE, () -> VhdxDisk.open(dir, OpenOptions.readOnly()));
        assertRefused(VhdxStructure.FILE, () -> VhdxDisk.open(Path.of("/dev/zero"), OpenOptions.readOnly()));
        Path fifo = dir.resolve("fifo.vhdx");
        new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor();
        assertTrue(Files.exists(fifo));
        assertRefused(VhdxStructure.FILE, () -> VhdxDisk.open(fifo, OpenOptions.readOnly()));
        Path small = Files.write(dir.resolve("small.vhdx"), new byte[4096]);
        assertRefused(VhdxStructure.FILE, () -> VhdxDisk.open(small, OpenOptions.readOnly()));
    }

    @Test
    void inspectDescribesTypeSizesIdentityAndRegions() throws Exception {
        Path path = dir.resolve("info.vhdx");
        VhdxCreator.create(path, CreateRequest.dynamic(64 * MIB).withBlockSize(2 * MIB).withSectorSizes(512, 4096));
        try (VhdxDisk disk = VhdxDisk.open(path, OpenOptions.readOnly())) {
            VhdxInfo info = disk.inspect();
            assertEquals(DiskType.DYNAMIC, info.type());
            assertEquals(64 * MIB, info.virtualSize());
            assertEquals(2 * MIB, info.blockSize());
            assertEquals(512, info.logicalSectorSize());
            assertEquals(4096, info.physicalSectorSize());
            assertEquals("Parvis", info.creator());
            assertEquals(2, info.currentHeader());
            assertEquals(MIB, info.logOffset());
            assertEquals(List.of("BAT", "metadata"), info.regions().stream().map(VhdxInfo.Region::name).toList());
            assertEquals(32L, info.blockStates().get("NOT_PRESENT"));
            assertTrue(info.describe().contains("virtual size:         67108864 bytes"), info.describe());
        }
    }

    interface Opening {
        void run() throws Exception;
    }

    static VhdxFormatException assertRefused(VhdxStructure structure, Opening action) {
        VhdxFormatException e = assertThrows(VhdxFormatException.class, action::run);
        assertEquals(structure, e.structure(), e.getMessage());
        return e;
    }
}
