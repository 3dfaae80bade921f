package dev.parvis.root.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.parvis.root.config.DeviceConfig;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class DiskAttachmentTest {
    @Test
    void disksWithoutALunTakeTheLowestFreeLunOfTheirControllerInConfigOrder() {
        List<DiskAttachment> disks = DiskAttachment.of(List.of(
                new DeviceConfig.Disk("/a.vhdx"),
                new DeviceConfig.Disk("/b.vhdx", 0, 0, true),
                new DeviceConfig.EchoDevice(),
                new DeviceConfig.Disk("/c.vhdx"),
                new DeviceConfig.Disk("/d.vhdx", 1, DeviceConfig.Disk.NEXT_FREE_LUN, false)));
        assertEquals(List.of(
                new DiskAttachment(0, 1, Path.of("/a.vhdx"), false),
                new DiskAttachment(0, 0, Path.of("/b.vhdx"), true),
                new DiskAttachment(0, 2, Path.of("/c.vhdx"), false),
                new DiskAttachment(1, 0, Path.of("/d.vhdx"), false)), disks);
    }

    @Test
    void twoDisksNamingTheSameControllerAndLunAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> DiskAttachment.of(List.of(
                new DeviceConfig.Disk("/a.vhdx", 2, 3, false), new DeviceConfig.Disk("/b.vhdx", 2, 3, false))));
        assertThrows(IllegalArgumentException.class, () -> new DeviceConfig.Disk("/a.vhdx", 4, 0, false));
        assertThrows(IllegalArgumentException.class, () -> new DeviceConfig.Disk("/a.vhdx", 0, 64, false));
    }
}
