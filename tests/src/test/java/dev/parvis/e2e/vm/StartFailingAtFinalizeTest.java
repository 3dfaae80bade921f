package dev.parvis.e2e.vm;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.abi.hv.HvCallCode;
import dev.parvis.abi.hv.HvPartitionPrivilege;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.devices.vhdx.CreateRequest;
import dev.parvis.devices.vhdx.VhdxCreator;
import dev.parvis.e2e.OnEachBackend;
import dev.parvis.hv.hypercall.HypercallContext;
import dev.parvis.root.config.DeviceConfig;
import dev.parvis.root.vm.VmException;
import dev.parvis.root.vm.VmState;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A start whose partition cannot be finalized (the last hypercall before the guest's first
 * instruction) fails after the VM's devices, routes and VMBus attachment were wired: all of it is
 * undone with the partition, so the VM's disk is no longer held open.
 */
@OnEachBackend
class StartFailingAtFinalizeTest {
    @TempDir
    Path dataDir;
    @TempDir
    Path disks;

    @Test
    void aStartThatCannotFinalizeLeavesTheVmOffWithItsDiskClosed() throws Exception {
        Path disk = disks.resolve("boot.vhdx");
        VhdxCreator.create(disk, CreateRequest.dynamic(16 << 20));
        try (VmFixture f = new VmFixture(dataDir, 64L << 20)) {
            UUID id = f.service.create(VmFixture.counterVm("unfinished", 8)
                    .withDevices(List.of(new DeviceConfig.Disk(disk.toString())))).id();
            f.hv.dispatcher().register(HvCallCode.FINALIZE_PARTITION, HvPartitionPrivilege.CREATE_PARTITIONS,
                    ctx -> HypercallContext.fail(HvStatus.INSUFFICIENT_MEMORY));

            VmException failure = assertThrows(VmException.class, () -> VmFixture.await(f.service.start(id)));
            assertTrue(failure.getMessage().contains("INSUFFICIENT_MEMORY"), failure.getMessage());
            assertInstanceOf(VmState.Off.class, f.service.get(id).orElseThrow().state());
            assertFalse(VmFixture.heldByAWriter(disk), "the disk the failed start opened is closed again");
        }
    }
}
