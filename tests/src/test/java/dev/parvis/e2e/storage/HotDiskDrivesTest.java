package dev.parvis.e2e.storage;

import static dev.parvis.e2e.vm.VmFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.devices.vhdx.CreateRequest;
import dev.parvis.devices.vhdx.VhdxCreator;
import dev.parvis.e2e.OnEachBackend;
import dev.parvis.e2e.vm.VmFixture;
import dev.parvis.root.config.ConfigLoad;
import dev.parvis.root.config.DeviceConfig;
import dev.parvis.root.vm.IllegalVmStateException;
import dev.parvis.root.vm.VmException;
import dev.parvis.root.vm.VmManagementService;
import dev.parvis.root.vm.VmState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Add-VMHardDiskDrive / Remove-VMHardDiskDrive through the management service: hot on a running
 * VM (the file is opened and closed at once), in the configuration only on an off one; the drive
 * survives save/restore and restarts; every refusal says why.
 */
@OnEachBackend
class HotDiskDrivesTest {
    @TempDir
    Path dataDir;
    @TempDir
    Path disks;

    private static boolean heldByTheVm(Path file) throws IOException {
        return VmFixture.heldByAWriter(file);
    }

    private Path disk(String name) throws IOException {
        Path p = disks.resolve(name);
        VhdxCreator.create(p, CreateRequest.dynamic(16 << 20));
        return p;
    }

    private static List<DeviceConfig.Disk> drives(VmManagementService s, UUID id) {
        return s.get(id).orElseThrow().config().devices().stream().filter(d -> d instanceof DeviceConfig.Disk)
                .map(d -> (DeviceConfig.Disk) d).toList();
    }

    @Test
    void aDiskAddedToARunningVmIsOpenedAtOnceKeptInItsConfigAndSurvivesSaveRestoreUntilRemoved() throws Exception {
        Path boot = disk("boot.vhdx");
        Path data = disk("data.vhdx");
        try (VmFixture f = new VmFixture(dataDir, 96L << 20)) {
            VmManagementService s = f.service;
            UUID id = s.create(VmFixture.counterVm("hot", 16).withDevices(List.of(new DeviceConfig.Disk(boot.toString())))).config().id();
            assertInstanceOf(VmState.Running.class, await(s.start(id)));
            assertFalse(heldByTheVm(data), "control: the new disk is free before the attach");

            assertInstanceOf(VmState.Running.class, await(s.attachDisk(id, new DeviceConfig.Disk(data.toString()))));
            assertTrue(heldByTheVm(data), "a running VM opens a hot-added disk at once");
            assertEquals(List.of(new DeviceConfig.Disk(boot.toString(), 0, 0, false), new DeviceConfig.Disk(data.toString(), 0, 1, false)),
                    drives(s, id), "the config names the next free LUN, and pins the others");
            assertEquals(drives(s, id), assertInstanceOf(ConfigLoad.Loaded.class, f.store.load(id)).config().devices().stream()
                    .filter(d -> d instanceof DeviceConfig.Disk).toList(), "the change is on disk (vm.json)");

            assertInstanceOf(VmState.Saved.class, await(s.save(id)));
            assertFalse(heldByTheVm(data), "closed at save");
            assertInstanceOf(IllegalVmStateException.class, assertThrows(Exception.class,
                    () -> await(s.detachDisk(id, 0, 1))), "a saved VM takes no disk change");
            assertInstanceOf(VmState.Running.class, await(s.start(id)));
            assertTrue(heldByTheVm(data), "the hot-added disk is opened again at restore");

            assertInstanceOf(VmState.Running.class, await(s.detachDisk(id, 0, 1)));
            assertFalse(heldByTheVm(data), "a hot-removed disk is closed at once");
            assertTrue(heldByTheVm(boot), "the other disk stays");
            assertEquals(List.of(new DeviceConfig.Disk(boot.toString(), 0, 0, false)), drives(s, id));
            assertInstanceOf(VmState.Off.class, await(s.turnOff(id)));
            assertInstanceOf(VmState.Running.class, await(s.start(id)));
            assertFalse(heldByTheVm(data), "a removed disk stays removed across a restart");
            assertInstanceOf(VmState.Off.class, await(s.turnOff(id)));
        }
    }

    @Test
    void anOffVmTakesTheDiskInItsConfigOnlyAndOpensItAtItsNextStart() throws Exception {
        Path data = disk("data.vhdx");
        try (VmFixture f = new VmFixture(dataDir, 96L << 20)) {
            VmManagementService s = f.service;
            UUID id = s.create(VmFixture.counterVm("cold", 16)).config().id();
            assertInstanceOf(VmState.Off.class, await(s.attachDisk(id, new DeviceConfig.Disk(data.toString(), 2, 7, true))));
            assertFalse(heldByTheVm(data), "an off VM holds nothing");
            assertEquals(List.of(new DeviceConfig.Disk(data.toString(), 2, 7, true)), drives(s, id));
            assertInstanceOf(VmState.Running.class, await(s.start(id)));
            // read-only: the VM holds the file without its write lock, so a writer still gets in; a
            // second read-only attach of the same file is what it refuses
            VmException twice = assertThrows(VmException.class, () -> await(s.attachDisk(id, new DeviceConfig.Disk(data.toString(), 2, 8, true))));
            assertTrue(twice.getMessage().contains("already attached at controller 2, LUN 7"), twice.getMessage());
            assertInstanceOf(VmState.Running.class, await(s.detachDisk(id, 2, 7)));
            assertEquals(List.of(), drives(s, id));
            assertInstanceOf(VmState.Off.class, await(s.turnOff(id)));
            assertInstanceOf(VmState.Off.class, await(s.attachDisk(id, new DeviceConfig.Disk(data.toString()))));
            assertInstanceOf(VmState.Off.class, await(s.detachDisk(id, 0, 0)));
            assertEquals(List.of(), drives(s, id), "an off VM's drive is removed from its config");
        }
    }

    @Test
    void eachRefusalSaysWhyAndLeavesTheConfigAsItWas() throws Exception {
        Path boot = disk("boot.vhdx");
        Path other = disk("other.vhdx");
        Path notVhdx = disks.resolve("notes.vhdx");
        Files.writeString(notVhdx, "not a disk at all\n".repeat(100));
        try (VmFixture f = new VmFixture(dataDir, 96L << 20)) {
            VmManagementService s = f.service;
            UUID id = s.create(VmFixture.counterVm("refusals", 16).withDevices(List.of(new DeviceConfig.Disk(boot.toString())))).config().id();
            assertInstanceOf(VmState.Running.class, await(s.start(id)));
            List<DeviceConfig.Disk> before = drives(s, id);

            refused(s, id, new DeviceConfig.Disk(other.toString(), 0, 0, false), "controller 0, LUN 0 already holds");
            refused(s, id, new DeviceConfig.Disk(notVhdx.toString()), "notes.vhdx");
            refused(s, id, new DeviceConfig.Disk(disks.resolve("absent.vhdx").toString()), "no such file");
            refused(s, id, new DeviceConfig.Disk(other.toString(), 1, 0, false), "controller 1 was not offered when the VM started");
            refused(s, id, new DeviceConfig.Disk(boot.toString(), 0, 3, false), "already attached at controller 0, LUN 0");
            VmException absent = assertThrows(VmException.class, () -> await(s.detachDisk(id, 0, 9)));
            assertTrue(absent.getMessage().contains("has no disk at controller 0, LUN 9"), absent.getMessage());
            IllegalArgumentException range = assertThrows(IllegalArgumentException.class, () -> new DeviceConfig.Disk(other.toString(), 4, 0, false));
            assertTrue(range.getMessage().contains("controller must be 0-3"), range.getMessage());
            range = assertThrows(IllegalArgumentException.class, () -> new DeviceConfig.Disk(other.toString(), 0, 64, false));
            assertTrue(range.getMessage().contains("LUN must be 0-63"), range.getMessage());

            assertEquals(before, drives(s, id), "no refused change reached the config");
            assertFalse(heldByTheVm(other), "no refused disk stays open");
            assertInstanceOf(VmState.Off.class, await(s.turnOff(id)));
            refused(s, id, new DeviceConfig.Disk(notVhdx.toString()), "notes.vhdx");
        }
    }

    private static void refused(VmManagementService s, UUID id, DeviceConfig.Disk disk, String why) {
        VmException e = assertThrows(VmException.class, () -> await(s.attachDisk(id, disk)));
        assertTrue(e.getMessage().contains(why) && e.getMessage().startsWith("Add-VMHardDiskDrive"), e.getMessage());
    }
}
