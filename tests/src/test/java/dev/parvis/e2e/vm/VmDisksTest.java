package dev.parvis.e2e.vm;

import static dev.parvis.e2e.vm.VmFixture.await;
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
}
