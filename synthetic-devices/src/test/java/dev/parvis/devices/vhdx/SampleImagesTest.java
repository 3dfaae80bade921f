package dev.parvis.devices.vhdx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * QEMU's sample VHDX images (qemu tests/qemu-iotests/sample_images, made by Windows 8, Disk2VHD and an
 * old QEMU that left a dirty log) open and read identically in Parvis and in qemu. The images are not
 * part of this repository: point {@code PARVIS_VHDX_SAMPLES} (or {@code -Dparvis.vhdx.samples}) at a
 * directory holding them, decompressed or as {@code .vhdx.bz2}. Without it the tests are skipped with
 * that message.
 */
class SampleImagesTest {
    private static final int CHUNK = 8 << 20;
    private Path samples;

    @TempDir
    Path dir;

    @BeforeEach
    void locate() {
        String where = System.getProperty("parvis.vhdx.samples", System.getenv("PARVIS_VHDX_SAMPLES"));
        Assumptions.assumeTrue(where != null && !where.isBlank(),
                "QEMU's VHDX sample images are not available: set PARVIS_VHDX_SAMPLES to a directory holding "
                        + "iotest-dynamic-1G.vhdx, test-disk2vhd.vhdx and iotest-dirtylog-10G-4M.vhdx (or their .bz2) "
                        + "from qemu's tests/qemu-iotests/sample_images");
        samples = Path.of(where);
        assertTrue(Files.isDirectory(samples), "PARVIS_VHDX_SAMPLES=" + where + " is not a directory");
    }

    /** A private, writable copy of the named sample (decompressed if only the .bz2 is there). */
    private Path copy(String name) throws IOException, InterruptedException {
        return copy(name, name);
    }

    private Path copy(String name, String as) throws IOException, InterruptedException {
        Path target = dir.resolve(as);
        Path plain = samples.resolve(name);
        Path compressed = samples.resolve(name + ".bz2");
        if (Files.isRegularFile(plain)) {
            Files.copy(plain, target, StandardCopyOption.REPLACE_EXISTING);
        } else if (Files.isRegularFile(compressed)) {
            Process p = new ProcessBuilder("bunzip2", "-c", compressed.toString())
                    .redirectOutput(target.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            assertEquals(0, p.waitFor(), "bunzip2 " + compressed);
        } else {
            fail(name + " is not in " + samples);
        }
        return target;
    }

    /** Compares every byte Parvis reads with {@code qemu-img convert -O raw}, chunk by chunk. */
    private void assertSameAsQemu(Path image, VhdxDisk disk) throws Exception {
        Path raw = dir.resolve(image.getFileName() + ".raw");
        QemuImg.ok("qemu-img", "convert", "-f", "vhdx", "-O", "raw", image.toString(), raw.toString());
        try (FileChannel qemu = FileChannel.open(raw)) {
            assertEquals(disk.size(), qemu.size(), "virtual size");
            ByteBuffer ours = ByteBuffer.allocate(CHUNK);
            ByteBuffer theirs = ByteBuffer.allocate(CHUNK);
            for (long offset = 0; offset < disk.size(); offset += CHUNK) {
                int n = (int) Math.min(CHUNK, disk.size() - offset);
                disk.read(offset, ours.clear().limit(n));
                theirs.clear().limit(n);
                while (theirs.hasRemaining()) {
                    qemu.read(theirs, offset + theirs.position());
                }
                if (!ours.flip().equals(theirs.flip())) {
                    fail(image + ": Parvis and qemu differ in [" + offset + ", +" + n + ")");
                }
            }
        } finally {
            Files.deleteIfExists(raw);
        }
    }

    @Test
    void theWindows8DynamicSampleReadsAsQemuReadsIt() throws Exception {
        Path image = copy("iotest-dynamic-1G.vhdx");
        try (VhdxDisk disk = VhdxDisk.open(image, OpenOptions.readOnly())) {
            VhdxInfo info = disk.inspect();
            assertEquals(DiskType.DYNAMIC, info.type());
            assertEquals(1L << 30, info.virtualSize());
            assertEquals(32L << 20, info.blockSize());
            assertEquals(4096, info.physicalSectorSize());
            assertTrue(info.creator().startsWith("Microsoft Windows"), info.creator());
            assertSameAsQemu(image, disk);
        }
    }

    @Test
    void theDisk2VhdSampleReadsAsQemuReadsIt() throws Exception {
        Path image = copy("test-disk2vhd.vhdx");
        try (VhdxDisk disk = VhdxDisk.open(image, OpenOptions.readOnly())) {
            VhdxInfo info = disk.inspect();
            assertEquals("d2v", info.creator());
            assertEquals(256L << 20, info.virtualSize());
            assertEquals(2L << 20, info.blockSize());
            assertSameAsQemu(image, disk);
        }
    }

    @Test
    void theDirtyLogSampleIsReplayedInMemoryReadOnlyAndInPlaceReadWriteAsQemuReplaysIt() throws Exception {
        Path ours = copy("iotest-dirtylog-10G-4M.vhdx");
        Path theirs = copy("iotest-dirtylog-10G-4M.vhdx", "qemu-replayed.vhdx");
        QemuImg.Result refused = QemuImg.run("qemu-img", "check", "-f", "vhdx", theirs.toString());
        assertTrue(refused.exitCode() != 0 && refused.output().contains("log that needs to be replayed"), refused.output());
        QemuImg.run("qemu-img", "check", "-r", "all", "-f", "vhdx", theirs.toString());
        assertTrue(QemuImg.check(theirs).contains("No errors were found on the image."));
        byte[] before = Files.readAllBytes(ours);
        try (VhdxDisk disk = VhdxDisk.open(ours, OpenOptions.readOnly())) {
            assertEquals(1, disk.inspect().logEntriesReplayed(), "the one entry that carries the header's LogGuid");
            assertSameAsQemu(theirs, disk);
        }
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(ours)), "a read-only open writes nothing");
        try (VhdxDisk disk = VhdxDisk.open(ours, OpenOptions.readWrite())) {
            assertEquals(1, disk.inspect().logEntriesReplayed());
        }
        assertTrue(QemuImg.check(ours).contains("No errors were found on the image."), "qemu needs no replay after ours");
        try (VhdxDisk disk = VhdxDisk.open(ours, OpenOptions.readOnly())) {
            assertEquals(0, disk.inspect().logEntriesReplayed());
            assertSameAsQemu(ours, disk);
        }
    }
}
