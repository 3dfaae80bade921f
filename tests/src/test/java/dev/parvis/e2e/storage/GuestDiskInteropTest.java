package dev.parvis.e2e.storage;

import dev.parvis.e2e.OnEachBackend;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.devices.vhdx.CreateRequest;
import dev.parvis.devices.vhdx.VhdxCreator;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10's interoperability criteria, end to end through storvsp: what the gcc-built disk-verify
 * guest writes across a whole disk is exactly what qemu-img reads back, for a dynamic VHDX made by
 * qemu-img and for a fixed and a dynamic VHDX made by Parvis; and what qemu-io writes reaches the
 * guest (disk-digest) unchanged.
 */
@Timeout(900)
@OnEachBackend
class GuestDiskInteropTest {
    private static final long SIZE = 16L << 20;

    @TempDir
    Path dir;

    /** disk-verify on {@code image}: PASS, then qemu-img check clean and every byte as the guest wrote it. */
    private static void verifyThroughQemu(Path image) throws Exception {
        DiskGuest run = DiskGuest.run("disk-verify", image).passed();
        long seed = run.seed();
        assertTrue(run.output().contains("disk-verify: " + SIZE + " bytes checked, 0 wrong bytes in 0 chunks, 0 failed requests"),
                run.output());
        QemuTools.check(image);
        byte[] raw = QemuTools.raw(image);
        assertEquals(SIZE, raw.length, "qemu-img convert size");
        long first = DiskPattern.firstDifference(raw, seed, 0, raw.length);
        assertEquals(-1, first, "first byte qemu reads differently from what the guest wrote (seed 0x" + Long.toHexString(seed) + ")");
    }

    @Test
    void aDynamicDiskMadeByQemuImgHoldsExactlyTheBytesDiskVerifyWrote() throws Exception {
        Path image = dir.resolve("qemu-dynamic.vhdx");
        QemuTools.createDynamic(image, SIZE);
        verifyThroughQemu(image);
    }

    @Test
    void fixedAndDynamicDisksMadeByParvisHoldExactlyTheBytesDiskVerifyWrote() throws Exception {
        Path fixed = dir.resolve("parvis-fixed.vhdx");
        Path dynamic = dir.resolve("parvis-dynamic.vhdx");
        VhdxCreator.create(fixed, CreateRequest.fixed(SIZE));
        VhdxCreator.create(dynamic, CreateRequest.dynamic(SIZE).withBlockSize(1L << 20));
        for (Path image : new Path[] {fixed, dynamic}) {
            QemuTools.check(image);
            assertEquals(SIZE, QemuTools.virtualSize(image), "qemu-img info virtual size of " + image.getFileName());
            verifyThroughQemu(image);
        }
    }

    @Test
    void bytesQemuIoWroteReachTheGuestUnchanged() throws Exception {
        Path image = dir.resolve("qemu-io.vhdx");
        VhdxCreator.create(image, CreateRequest.dynamic(SIZE).withBlockSize(1L << 20));
        byte[] expected = new byte[(int) SIZE];
        // Regions of different bytes: block-aligned, crossing a 1 MiB block boundary, sector-sized at the end.
        long[][] writes = {{0x11, 0, 65536}, {0x22, (1L << 20) - 4096, 12288}, {0x33, 5L << 20, 3L << 20}, {0x44, SIZE - 512, 512}};
        for (long[] w : writes) {
            QemuTools.writeByte(image, (int) w[0], w[1], w[2]);
            java.util.Arrays.fill(expected, (int) w[1], (int) (w[1] + w[2]), (byte) w[0]);
        }
        assertEquals(-1, java.util.Arrays.mismatch(expected, QemuTools.raw(image)), "qemu reads back what qemu-io wrote");
        DiskGuest run = DiskGuest.run("disk-digest", image);
        assertEquals(0, run.exitCode(), run.output());
        assertEquals(Long.toHexString(DiskPattern.digest(expected)), Long.toHexString(run.digest()),
                "the guest's digest of the disk against the bytes qemu-io wrote");
    }
}
