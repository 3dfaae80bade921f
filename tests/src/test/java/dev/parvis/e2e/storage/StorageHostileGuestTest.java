package dev.parvis.e2e.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.devices.vhdx.CreateRequest;
import dev.parvis.devices.vhdx.VhdxCreator;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gcc-built storage-hostile guest against storvsp: LBAs past the end, transfer lengths that differ
 * from the buffer, GPA-direct ranges that lie about their pages, page numbers beyond RAM, a 32-bit page
 * count wrap, unknown operations and CDBs, a LUN that is not there and a flood past both rings. Every
 * abuse gets its SCSI / SRB answer (the guest judges each and prints it), no guard page around its
 * buffers changes, and after each one the device still writes and reads its scratch block.
 */
@Timeout(600)
class StorageHostileGuestTest {
    private static final int SCENARIOS = 14;

    @TempDir
    Path dir;

    @Test
    void everyAbuseGetsItsAnswerAndTheDeviceStaysUsable() throws Exception {
        Path image = dir.resolve("hostile.vhdx");
        VhdxCreator.create(image, CreateRequest.dynamic(8L << 20).withBlockSize(1L << 20));
        DiskGuest run = DiskGuest.run("storage-hostile", image);
        Matcher m = Pattern.compile("storage-hostile: (\\d+) scenarios, (\\d+) wrong, (\\d+) unusable").matcher(run.output());
        assertTrue(m.find(), run.output());
        assertEquals(SCENARIOS, Integer.parseInt(m.group(1)), run.output());
        assertEquals("0 wrong, 0 unusable", m.group(2) + " wrong, " + m.group(3) + " unusable", run.output());
        assertEquals(SCENARIOS, run.output().split("; device usable: yes", -1).length - 1, run.output());
        run.passed();
        QemuTools.check(image);
    }
}
