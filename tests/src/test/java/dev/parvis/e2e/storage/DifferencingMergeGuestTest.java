package dev.parvis.e2e.storage;

import dev.parvis.e2e.OnEachBackend;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.parvis.devices.vhdx.CreateRequest;
import dev.parvis.devices.vhdx.OpenOptions;
import dev.parvis.devices.vhdx.VhdxCreator;
import dev.parvis.devices.vhdx.VhdxMerge;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * qemu refuses differencing VHDX, so the differencing path is checked through a merge: a guest reads its
 * dynamic parent's bytes through a fresh child, writes the whole child, the child is merged into the
 * parent, and the parent then passes {@code qemu-img check} and holds exactly what the guest saw.
 */
@Timeout(900)
@OnEachBackend
class DifferencingMergeGuestTest {
    private static final long SIZE = 16L << 20;

    @TempDir
    Path dir;

    @Test
    void aChildWrittenByAGuestAndMergedGivesAParentQemuReadsAsTheGuestSawIt() throws Exception {
        Path parent = dir.resolve("parent.vhdx");
        Path child = dir.resolve("child.vhdx");
        VhdxCreator.create(parent, CreateRequest.dynamic(SIZE).withBlockSize(1L << 20));
        QemuTools.writeByte(parent, 0x5A, 3L << 20, 2L << 20);
        byte[] parentBytes = QemuTools.raw(parent);
        VhdxCreator.create(child, CreateRequest.differencing(parent));

        DiskGuest before = DiskGuest.run("disk-digest", child);
        assertEquals(0, before.exitCode(), before.output());
        assertEquals(Long.toHexString(DiskPattern.digest(parentBytes)), Long.toHexString(before.digest()),
                "the guest reads the parent's bytes through the empty child");

        long seed = DiskGuest.run("disk-verify", child).passed().seed();
        Path merged = VhdxMerge.mergeIntoParent(child, OpenOptions.readWrite());
        assertEquals(parent.toRealPath(), merged.toRealPath());
        Files.deleteIfExists(child);

        QemuTools.check(parent);
        byte[] raw = QemuTools.raw(parent);
        assertEquals(SIZE, raw.length);
        assertEquals(-1, DiskPattern.firstDifference(raw, seed, 0, raw.length),
                "first byte of the merged parent that differs from what the guest wrote through the child");
    }
}
