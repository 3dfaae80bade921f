package dev.parvis.devices.vhdx;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Interoperability with QEMU's VHDX driver (qemu-img, qemu-io from qemu-utils): files made by one are
 * read and written by the other, {@code qemu-img check} passes, and both see the same bytes. QEMU has
 * no differencing VHDX support, so a merged parent stands in for the child (vhdx.md sections 5-6).
 */
class QemuInteropTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    /** Writes seeded data across the whole disk in pieces of varied size; returns what the disk holds. */
    private static byte[] writeAcross(VhdxDisk disk, long seed) throws Exception {
        byte[] expected = new byte[(int) disk.size()];
        Random random = new Random(seed);
        long offset = 0;
        while (offset < disk.size()) {
            int length = (int) Math.min(disk.size() - offset, (1 + random.nextInt(3000)) * 512L);
            byte[] data = Bytes.random(random.nextLong(), length);
            Bytes.write(disk, offset, data);
            System.arraycopy(data, 0, expected, (int) offset, length);
            offset += length + (random.nextInt(4) == 0 ? 512L * random.nextInt(64) : 0);
            if (random.nextInt(8) == 0) {
                disk.flush();
            }
        }
        return expected;
    }

    @Test
    void aDynamicDiskMadeByQemuImgIsWrittenAcrossByParvisAndQemuReadsExactlyOurBytes() throws Exception {
        Path image = dir.resolve("qemu-made.vhdx");
        QemuImg.ok("qemu-img", "create", "-f", "vhdx", image.toString(), "64M");
        byte[] expected;
        try (VhdxDisk disk = VhdxDisk.open(image, OpenOptions.readWrite())) {
            assertEquals(64 * MIB, disk.size());
            assertEquals(DiskType.DYNAMIC, disk.type());
            assertEquals("QEMU", disk.inspect().creator().substring(0, 4));
            assertArrayEquals(new byte[(int) (64 * MIB)], Bytes.readAll(disk), "QEMU's ZERO blocks read as zeros");
            expected = writeAcross(disk, 1);
        }
        String check = QemuImg.check(image);
        assertTrue(check.contains("No errors were found on the image."), check);
        assertArrayEquals(expected, QemuImg.convertToRaw(image, dir));
    }

    /**
     * QEMU sizes a fixed file to the disk, not to whole blocks, so its last block is partial in the file
     * (vhdx.md 6.1); Parvis writes it, grows the disk (moving that block first), and qemu agrees.
     */
    @Test
    void aFixedDiskMadeByQemuImgWithAPartialLastBlockIsWrittenAndGrownByParvis() throws Exception {
        Path image = dir.resolve("qemu-fixed.vhdx");
        QemuImg.ok("qemu-img", "create", "-f", "vhdx", "-o", "subformat=fixed,block_state_zero=off,block_size=8M",
                image.toString(), "20M");
        byte[] expected;
        try (VhdxDisk disk = VhdxDisk.open(image, OpenOptions.readWrite())) {
            assertEquals(DiskType.FIXED, disk.type());
            assertEquals(3L, disk.inspect().blockStates().get("FULLY_PRESENT"));
            byte[] first = writeAcross(disk, 11);
            disk.resize(36 * MIB);
            expected = Arrays.copyOf(first, (int) (36 * MIB));
            byte[] tail = Bytes.random(12, (int) (16 * MIB));
            Bytes.write(disk, 20 * MIB, tail);
            System.arraycopy(tail, 0, expected, (int) (20 * MIB), tail.length);
            assertArrayEquals(expected, Bytes.readAll(disk));
        }
        String check = QemuImg.check(image);
        assertTrue(check.contains("No errors were found on the image."), check);
        assertEquals(36 * MIB, QemuImg.virtualSize(image));
        assertArrayEquals(expected, QemuImg.convertToRaw(image, dir));
    }

    @Test
    void fixedAndDynamicDisksMadeByParvisPassQemuImgCheckAndShowTheirSize() throws Exception {
        Path fixed = dir.resolve("fixed.vhdx");
        VhdxCreator.create(fixed, CreateRequest.fixed(48 * MIB).withBlockSize(2 * MIB));
        Path dynamic = dir.resolve("dynamic.vhdx");
        VhdxCreator.create(dynamic, CreateRequest.dynamic(48 * MIB));
        for (Path image : new Path[]{fixed, dynamic}) {
            assertTrue(QemuImg.check(image).contains("No errors were found on the image."));
            assertEquals(48 * MIB, QemuImg.virtualSize(image), image.toString());
            assertArrayEquals(new byte[(int) (48 * MIB)], QemuImg.convertToRaw(image, dir));
            byte[] expected;
            try (VhdxDisk disk = VhdxDisk.open(image, OpenOptions.readWrite())) {
                expected = writeAcross(disk, image.hashCode());
            }
            String check = QemuImg.check(image);
            assertTrue(check.contains("No errors were found on the image."), check);
            assertArrayEquals(expected, QemuImg.convertToRaw(image, dir), image.toString());
        }
    }

    @Test
    void bytesWrittenByQemuIoReadBackIdenticallyInParvis() throws Exception {
        Path dynamic = dir.resolve("qemu-io.vhdx");
        VhdxCreator.create(dynamic, CreateRequest.dynamic(32 * MIB).withBlockSize(MIB));
        Path fixed = dir.resolve("qemu-io-fixed.vhdx");
        VhdxCreator.create(fixed, CreateRequest.fixed(32 * MIB).withBlockSize(MIB));
        for (Path image : new Path[]{dynamic, fixed}) {
            QemuImg.ok("qemu-io", "-f", "vhdx", "-c", "write -P 0x5a 1M 64k", "-c", "write -P 0xc3 7340544 3M",
                    "-c", "write -P 0x11 31M 1M", "-c", "write -P 0x77 512 1024", image.toString());
            byte[] expected = new byte[(int) (32 * MIB)];
            Arrays.fill(expected, (int) MIB, (int) (MIB + 65536), (byte) 0x5a);
            Arrays.fill(expected, 7340544, 7340544 + (int) (3 * MIB), (byte) 0xc3);
            Arrays.fill(expected, (int) (31 * MIB), (int) (32 * MIB), (byte) 0x11);
            Arrays.fill(expected, 512, 1536, (byte) 0x77);
            try (VhdxDisk disk = VhdxDisk.open(image, OpenOptions.readOnly())) {
                assertArrayEquals(expected, Bytes.readAll(disk), image.toString());
            }
            assertArrayEquals(expected, QemuImg.convertToRaw(image, dir));
        }
    }

    @Test
    void aChildMergedIntoItsDynamicParentGivesAParentQemuAcceptsHoldingTheChildsView() throws Exception {
        Path parent = dir.resolve("parent.vhdx");
        VhdxCreator.create(parent, CreateRequest.dynamic(24 * MIB).withBlockSize(MIB));
        QemuImg.ok("qemu-io", "-f", "vhdx", "-c", "write -P 0x3c 0 5M", "-c", "write -P 0x4d 20M 4M", parent.toString());
        Path child = dir.resolve("child.vhdx");
        VhdxCreator.create(child, CreateRequest.differencing(parent));
        byte[] view;
        try (VhdxDisk disk = VhdxDisk.open(child, OpenOptions.readWrite())) {
            Bytes.write(disk, 512, Bytes.random(1, 3 * 512));
            Bytes.write(disk, 4 * MIB - 4096, Bytes.random(2, 8192));
            Bytes.write(disk, 10 * MIB, Bytes.random(3, (int) (2 * MIB)));
            Bytes.write(disk, 21 * MIB + 512, Bytes.random(4, 512));
            disk.resize(28 * MIB);
            Bytes.write(disk, 27 * MIB, Bytes.random(5, (int) MIB));
            view = Bytes.readAll(disk);
        }
        VhdxMerge.mergeIntoParent(child, OpenOptions.readWrite());
        String check = QemuImg.check(parent);
        assertTrue(check.contains("No errors were found on the image."), check);
        assertEquals(28 * MIB, QemuImg.virtualSize(parent));
        assertArrayEquals(view, QemuImg.convertToRaw(parent, dir));
        assertTrue(Files.exists(child));
    }
}
