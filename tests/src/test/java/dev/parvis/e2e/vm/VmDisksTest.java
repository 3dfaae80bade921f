package dev.parvis.e2e.vm;

import static dev.parvis.e2e.vm.VmFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.devices.vhdx.CreateRequest;
import dev.parvis.devices.vhdx.VhdxCreator;
import dev.parvis.root.config.DeviceConfig;
import dev.parvis.root.config.VmConfig;
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

/** A VM's disks (from its configuration) are open exactly while it has a partition: from start to stop or save. */
class VmDisksTest {
    @TempDir
    Path dataDir;
    @TempDir
    Path disks;

    private static boolean heldByTheVm(Path file) throws IOException {
        return VmFixture.heldByAWriter(file);
    }

    @Test
    void theDisksAreOpenWhileTheVmRunsAndClosedWhenItStopsOrSaves() throws Exception {
        Path a = disks.resolve("a.vhdx");
        Path b = disks.resolve("b.vhdx");
        VhdxCreator.create(a, CreateRequest.dynamic(16 << 20));
        VhdxCreator.create(b, CreateRequest.dynamic(16 << 20));
        try (VmFixture f = new VmFixture(dataDir, 96L << 20)) {
            VmManagementService s = f.service;
            VmConfig config = s.create(VmFixture.counterVm("disks", 16).withDevices(List.of(
                    new DeviceConfig.Disk(a.toString()), new DeviceConfig.Disk(b.toString(), 0, 5, true)))).config();
            UUID id = config.id();
            assertTrue(!heldByTheVm(a) && !heldByTheVm(b), "control: nothing holds the files before the start");

            assertInstanceOf(VmState.Running.class, await(s.start(id)));
            assertTrue(heldByTheVm(a), "a running VM holds its writable disk");
            assertInstanceOf(VmState.Off.class, await(s.turnOff(id)));
            assertTrue(!heldByTheVm(a), "closed at turn-off");

            assertInstanceOf(VmState.Running.class, await(s.start(id)));
            assertTrue(heldByTheVm(a));
            assertInstanceOf(VmState.Saved.class, await(s.save(id)));
            assertTrue(!heldByTheVm(a), "closed at save");
            assertInstanceOf(VmState.Running.class, await(s.start(id)));
            assertTrue(heldByTheVm(a), "opened again at restore");
            assertInstanceOf(VmState.Off.class, await(s.turnOff(id)));
        }
    }

    @Test
    void aVmWhoseDiskCannotBeOpenedStaysOffAndSaysWhichDiskAndWhy() throws Exception {
        Path missing = disks.resolve("missing.vhdx");
        try (VmFixture f = new VmFixture(dataDir, 96L << 20)) {
            VmManagementService s = f.service;
            UUID id = s.create(VmFixture.counterVm("nodisk", 16)
                    .withDevices(List.of(new DeviceConfig.Disk(missing.toString())))).config().id();
            VmException e = assertThrows(VmException.class, () -> await(s.start(id)));
            assertTrue(e.getMessage().contains("missing.vhdx") && e.getMessage().contains("no such file"), e.getMessage());
            assertInstanceOf(VmState.Off.class, s.get(id).orElseThrow().state());

            UUID dir = s.create(VmFixture.counterVm("dirdisk", 16)
                    .withDevices(List.of(new DeviceConfig.Disk(disks.toString())))).config().id();
            VmException notFile = assertThrows(VmException.class, () -> await(s.start(dir)));
            System.out.println("refused: " + notFile.getMessage());
            assertInstanceOf(VmState.Off.class, s.get(dir).orElseThrow().state());
        }
    }

    /**
     * Disk paths are hostile input like every file a configuration names: vm-core's HostFile opens
     * them, so a device, a FIFO (which would block an ordinary open), a link or a directory fails that
     * VM's start with the reason, and a running VM next to it carries on.
     */
    @Test
    void hostileDiskPathsFailTheirVmsStartWithTheReasonAndNothingElse() throws Exception {
        Path fifo = disks.resolve("pipe.vhdx");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor(), "mkfifo");
        Path link = Files.createSymbolicLink(disks.resolve("link.vhdx"), fifo);
        try (VmFixture f = new VmFixture(dataDir, 96L << 20)) {
            VmManagementService s = f.service;
            UUID good = s.create(VmFixture.counterVm("bystander", 16)).id();
            assertInstanceOf(VmState.Running.class, await(s.start(good)));
            long gpa = f.counterGpa(good);
            long counter = f.awaitCounterAbove(good, gpa, 0);
            List<List<String>> hostile = List.of(
                    List.of("/dev/zero", "a character device, not a regular file"),
                    List.of(fifo.toString(), "a FIFO, not a regular file"),
                    List.of(link.toString(), "a symbolic link, not a regular file"),
                    List.of(disks.toString(), "a directory, not a regular file"));
            for (List<String> disk : hostile) {
                UUID id = s.create(VmFixture.counterVm("hostile-" + hostile.indexOf(disk), 16)
                        .withDevices(List.of(new DeviceConfig.Disk(disk.get(0))))).config().id();
                VmException e = assertThrows(VmException.class, () -> await(s.start(id)));
                System.out.println("refused: " + e.getMessage());
                assertTrue(e.getMessage().contains(disk.get(0)) && e.getMessage().contains(disk.get(1)), e.getMessage());
                assertInstanceOf(VmState.Off.class, s.get(id).orElseThrow().state());
                counter = f.awaitCounterAbove(good, gpa, counter);
            }
        }
    }
}
