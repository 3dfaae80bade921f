package dev.parvis.devices.vhdx;

import dev.parvis.abi.vmbus.Guid;
import dev.parvis.devices.vhdx.format.ParentLocator;
import dev.parvis.devices.vhdx.format.VhdxFormatException;
import dev.parvis.devices.vhdx.format.VhdxStructure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Differencing disks: reads through the sector bitmap, chain checks, parent paths, merge. */
class DifferencingDiskTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    @TempDir
    Path outside;

    /** A dynamic parent of {@code size} filled with a pattern; returns the pattern. */
    private byte[] parent(Path path, long size, int sector) throws Exception {
        VhdxCreator.create(path, CreateRequest.dynamic(size).withBlockSize(MIB).withSectorSizes(sector, sector));
        byte[] data = Bytes.random(99, (int) size);
        try (VhdxDisk disk = VhdxDisk.open(path, OpenOptions.readWrite())) {
            Bytes.write(disk, 0, data);
        }
        return data;
    }

    @ParameterizedTest(name = "logical sector {0}")
    @ValueSource(ints = {512, 4096})
    void unwrittenSectorsComeFromTheParentWrittenOnesFromTheChild(int sector) throws Exception {
        Path base = dir.resolve("base.vhdx");
        byte[] expected = parent(base, 8 * MIB, sector);
        Path child = dir.resolve("child.vhdx");
        VhdxCreator.create(child, CreateRequest.differencing(base));
        Random random = new Random(sector);
        try (VhdxDisk disk = VhdxDisk.open(child, OpenOptions.readWrite())) {
            assertEquals(DiskType.DIFFERENCING, disk.type());
            assertEquals(sector, disk.logicalSectorSize());
            assertArrayEquals(expected, Bytes.readAll(disk), "a new child reads exactly its parent");
            for (int i = 0; i < 40; i++) {
                int length = (1 + random.nextInt(8)) * sector;
                long offset = (long) random.nextInt((int) (8 * MIB / sector) - 8) * sector;
                byte[] data = Bytes.random(1000 + i, length);
                Bytes.write(disk, offset, data);
                System.arraycopy(data, 0, expected, (int) offset, length);
            }
            Bytes.write(disk, 6 * MIB, Bytes.random(5, (int) (2 * MIB)));
            System.arraycopy(Bytes.random(5, (int) (2 * MIB)), 0, expected, (int) (6 * MIB), (int) (2 * MIB));
            assertArrayEquals(expected, Bytes.readAll(disk));
            VhdxInfo info = disk.inspect();
            assertTrue(info.blockStates().getOrDefault("PARTIALLY_PRESENT", 0L) > 0, info.blockStates().toString());
            assertEquals(1L, info.blockStates().get("FULLY_PRESENT"), "a whole-block write needs no bitmap");
            assertEquals(1, info.sectorBitmapBlocks());
        }
        try (VhdxDisk disk = VhdxDisk.open(child, OpenOptions.readOnly())) {
            assertArrayEquals(expected, Bytes.readAll(disk));
        }
        try (VhdxDisk disk = VhdxDisk.open(base, OpenOptions.readOnly())) {
            assertArrayEquals(parent(dir.resolve("again.vhdx"), 8 * MIB, sector), Bytes.readAll(disk), "the parent is untouched");
        }
    }

    @Test
    void theChildCopiesTheParentsIdentityAndNamesItByDataWriteGuidAndRelativePath() throws Exception {
        Path base = dir.resolve("base.vhdx");
        parent(base, 4 * MIB, 512);
        Files.createDirectory(dir.resolve("kids"));
        Path child = dir.resolve("kids").resolve("child.vhdx");
        VhdxCreator.create(child, CreateRequest.differencing(base), OpenOptions.readOnly().withParentRoots(dir));
        try (VhdxDisk parent = VhdxDisk.open(base, OpenOptions.readOnly());
             VhdxDisk disk = VhdxDisk.open(child, OpenOptions.readOnly().withParentRoots(dir))) {
            VhdxInfo info = disk.inspect();
            assertEquals(parent.virtualDiskId(), disk.virtualDiskId());
            assertEquals(parent.size(), disk.size());
            assertEquals("..\\base.vhdx", info.parentLocator().get(ParentLocator.RELATIVE_PATH));
            assertEquals("{" + parent.inspect().dataWriteGuid() + "}", info.parentLocator().get(ParentLocator.PARENT_LINKAGE));
            assertEquals(2 * MIB, disk.blockSize(), "the Hyper-V default for differencing disks");
        }
    }

    @Test
    void aParentOutsideTheAllowedDirectoriesIsRefused() throws Exception {
        Path base = dir.resolve("base.vhdx");
        parent(base, 4 * MIB, 512);
        Files.createDirectory(dir.resolve("kids"));
        Path child = dir.resolve("kids").resolve("child.vhdx");
        VhdxCreator.create(child, CreateRequest.differencing(base), OpenOptions.readOnly().withParentRoots(dir));
        VhdxFormatException e = VhdxDiskTest.assertRefused(VhdxStructure.PARENT_LOCATOR,
                () -> VhdxDisk.open(child, OpenOptions.readOnly()));
        assertTrue(e.getMessage().contains("outside the allowed parent directories"), e.getMessage());
        try (VhdxDisk disk = VhdxDisk.open(child, OpenOptions.readOnly().withParentRoots(dir))) {
            assertEquals(4 * MIB, disk.size());
        }
    }

    @Test
    void aDirectoryLinkCannotLeadTheParentOutOfTheAllowedDirectories() throws Exception {
        Path base = outside.resolve("base.vhdx");
        parent(base, 4 * MIB, 512);
        Files.createDirectory(dir.resolve("kids"));
        Files.createSymbolicLink(dir.resolve("kids").resolve("up"), outside);
        Path child = dir.resolve("kids").resolve("child.vhdx");
        VhdxCreator.create(child, CreateRequest.differencing(dir.resolve("kids").resolve("up").resolve("base.vhdx")));
        try (VhdxDisk disk = VhdxDisk.open(child, OpenOptions.readOnly().withParentRoots(dir))) {
            throw new AssertionError("opened through a link out of " + dir + ": " + disk.inspect().parentLocator());
        } catch (VhdxFormatException e) {
            assertEquals(VhdxStructure.PARENT_LOCATOR, e.structure(), e.getMessage());
        }
    }

    @Test
    void aChildWhoseParentChangedIsRefused() throws Exception {
        Path base = dir.resolve("base.vhdx");
        parent(base, 4 * MIB, 512);
        Path child = dir.resolve("child.vhdx");
        VhdxCreator.create(child, CreateRequest.differencing(base));
        try (VhdxDisk disk = VhdxDisk.open(base, OpenOptions.readWrite())) {
            Bytes.write(disk, 0, new byte[512]);
        }
        VhdxFormatException e = VhdxDiskTest.assertRefused(VhdxStructure.PARENT,
                () -> VhdxDisk.open(child, OpenOptions.readOnly()));
        assertEquals(ParentLocator.PARENT_LINKAGE, e.field());
    }

    @Test
    void aChainThatLeadsBackToItselfIsRefused() throws Exception {
        Path base = dir.resolve("base.vhdx");
        parent(base, 4 * MIB, 512);
        Path child = dir.resolve("child.vhdx");
        VhdxCreator.create(child, CreateRequest.differencing(base));
        Files.delete(base);
        Files.move(child, base);
        VhdxFormatException e = VhdxDiskTest.assertRefused(VhdxStructure.PARENT,
                () -> VhdxDisk.open(base, OpenOptions.readOnly()));
        assertTrue(e.getMessage().contains("appears twice"), e.getMessage());
    }

    @Test
    void threeLevelChainsReadThroughEveryLevel() throws Exception {
        Path base = dir.resolve("base.vhdx");
        byte[] expected = parent(base, 4 * MIB, 512);
        Path middle = dir.resolve("middle.vhdx");
        VhdxCreator.create(middle, CreateRequest.differencing(base).withBlockSize(MIB));
        try (VhdxDisk disk = VhdxDisk.open(middle, OpenOptions.readWrite())) {
            Bytes.write(disk, MIB + 512, Bytes.random(1, 1024));
        }
        System.arraycopy(Bytes.random(1, 1024), 0, expected, (int) MIB + 512, 1024);
        Path top = dir.resolve("top.vhdx");
        VhdxCreator.create(top, CreateRequest.differencing(middle));
        try (VhdxDisk disk = VhdxDisk.open(top, OpenOptions.readWrite())) {
            Bytes.write(disk, MIB, Bytes.random(2, 1024));
            System.arraycopy(Bytes.random(2, 1024), 0, expected, (int) MIB, 1024);
            assertArrayEquals(expected, Bytes.readAll(disk));
        }
        VhdxDiskTest.assertRefused(VhdxStructure.PARENT,
                () -> VhdxDisk.open(top, new OpenOptions(false, java.util.List.of(), 1)));
    }

    @Test
    void mergeLeavesTheParentHoldingWhatTheChildShowedAndTheChildStillOpens() throws Exception {
        Path base = dir.resolve("base.vhdx");
        parent(base, 6 * MIB, 512);
        Path child = dir.resolve("child.vhdx");
        VhdxCreator.create(child, CreateRequest.differencing(base).withBlockSize(MIB));
        byte[] view;
        try (VhdxDisk disk = VhdxDisk.open(child, OpenOptions.readWrite())) {
            Bytes.write(disk, 512, Bytes.random(3, 4096));
            Bytes.write(disk, 2 * MIB, Bytes.random(4, (int) MIB));
            Bytes.write(disk, 5 * MIB - 1024, Bytes.random(6, 2048));
            disk.resize(8 * MIB);
            Bytes.write(disk, 7 * MIB, Bytes.random(7, 4096));
            view = Bytes.readAll(disk);
        }
        assertEquals(base, VhdxMerge.mergeIntoParent(child, OpenOptions.readWrite()));
        Guid parentId;
        try (VhdxDisk disk = VhdxDisk.open(base, OpenOptions.readOnly())) {
            assertEquals(8 * MIB, disk.size());
            assertArrayEquals(view, Bytes.readAll(disk));
            parentId = disk.inspect().dataWriteGuid();
        }
        try (VhdxDisk disk = VhdxDisk.open(child, OpenOptions.readOnly())) {
            assertArrayEquals(view, Bytes.readAll(disk));
            assertEquals("{" + parentId + "}", disk.inspect().parentLocator().get(ParentLocator.PARENT_LINKAGE2));
        }
    }
}
