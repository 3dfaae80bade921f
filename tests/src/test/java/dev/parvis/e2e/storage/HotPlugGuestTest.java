package dev.parvis.e2e.storage;

import static dev.parvis.e2e.vm.VmFixture.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.parvis.devices.vhdx.CreateRequest;
import dev.parvis.devices.vhdx.OpenOptions;
import dev.parvis.devices.vhdx.VhdxCreator;
import dev.parvis.devices.vhdx.VhdxDisk;
import dev.parvis.e2e.GuestHarness;
import dev.parvis.e2e.OnEachBackend;
import dev.parvis.e2e.vm.VmFixture;
import dev.parvis.root.config.DeviceConfig;
import dev.parvis.root.config.VmConfig;
import dev.parvis.root.vm.VmManagementService;
import dev.parvis.root.vm.VmState;
import dev.parvis.root.storage.VirtualDiskService;
import dev.parvis.wmi.cim.CimInstance;
import dev.parvis.wmi.cim.CimValue;
import dev.parvis.wmi.cim.ObjectPath;
import dev.parvis.wmi.client.InProcessClient;
import dev.parvis.wmi.client.ManagementClient;
import dev.parvis.wmi.model.Caller;
import dev.parvis.wmi.model.HostInfo;
import dev.parvis.wmi.model.ManagementModel;
import dev.parvis.wmi.model.ObjectPaths;
import dev.parvis.wmi.model.Role;
import dev.parvis.wmi.storage.StorageDirectories;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gcc-built disk-hotplug guest on a running VM, started with a boot disk or with none: a disk added with AddResourceSettings on
 * Msvm_VirtualSystemManagementService (the WMI-like API that the shell's Add-VMHardDiskDrive and the
 * Thrift server call) is listed by REPORT LUNS, sized, written and read back by the guest (and holds the guest's bytes on
 * the host); once RemoveResourceSettings removes it, the guest's next read of that LUN fails as SCSI says a missing
 * unit fails (SRB status INVALID_LUN).
 */
@OnEachBackend
class HotPlugGuestTest {
    private static final int SRB_STATUS_INVALID_LUN = 0x20;
    private static final int WRITE_BYTES = 64 * 1024;

    @TempDir
    Path dataDir;
    @TempDir
    Path disks;

    /** The guest's report: phase, ok, srb, scsi, sense key, ASC (u32 each), then seed, blocks, wrong bytes (u64). */
    record Report(int phase, int ok, int srb, int scsi, int senseKey, int asc, long seed, long blocks, long wrong) {
        static Report of(byte[] m) {
            ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN);
            return new Report(b.getInt(), b.getInt(), b.getInt(), b.getInt(), b.getInt(), b.getInt(), b.getLong(), b.getLong(), b.getLong());
        }
    }

    private static Report awaitPhase(VmManagementService s, UUID id, int phase) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            VmState before = s.get(id).orElseThrow().state();
            Optional<byte[]> m = s.lastGuestMessage(id);
            if (m.isPresent() && m.get().length >= 48 && Report.of(m.get()).phase() >= phase) {
                return Report.of(m.get());
            }
            if (!(before instanceof VmState.Running)) {
                throw new AssertionError("the guest stopped before phase " + phase + ": " + before);
            }
            Thread.sleep(5);
        }
        throw new TimeoutException("disk-hotplug did not reach phase " + phase);
    }

    @Test
    void aDiskHotAddedToARunningVmIsWrittenByItsGuestAndAHotRemovedOneFailsItsReads() throws Exception {
        Path boot = disks.resolve("boot.vhdx");
        VhdxCreator.create(boot, CreateRequest.dynamic(16 << 20));
        hotPlug(List.of(new DeviceConfig.Disk(boot.toString())), 1);
    }

    /** Every VM has SCSI controller 0, as in Hyper-V: the first disk can arrive while the VM runs. */
    @Test
    void aVmStartedWithoutDisksSeesItsFirstDiskHotAddedOnLunZero() throws Exception {
        hotPlug(List.of(), 0);
    }

    /** Starts disk-hotplug with {@code initial} devices, hot-adds data.vhdx (it lands on {@code hotLun}), removes it. */
    private void hotPlug(List<DeviceConfig> initial, int hotLun) throws Exception {
        Path data = disks.resolve("data.vhdx");
        VhdxCreator.create(data, CreateRequest.dynamic(16 << 20));
        try (VmFixture f = new VmFixture(dataDir, 128L << 20)) {
            VmManagementService s = f.service;
            UUID id = s.create(VmConfig.create("hotplug", "disk-hotplug").withMemoryMiB(32).withDevices(initial)).config().id();
            assertInstanceOf(VmState.Running.class, await(s.start(id)));
            assertEquals(1, awaitPhase(s, id, 1).phase(), "the guest opened the SCSI controller and waits for a new LUN");

            ManagementModel model = new ManagementModel(s, new HostInfo("e2e", new StorageDirectories(List.of(disks)),
                    GuestHarness.guestsDir(), VirtualDiskService.UNAVAILABLE));
            ManagementClient api = new InProcessClient(model, new Caller("e2e", Role.ADMINISTRATOR));
            ObjectPath vsms = api.query("SELECT * FROM Msvm_VirtualSystemManagementService").getFirst().path();
            ObjectPath vssd = api.query("ASSOCIATORS OF {" + ObjectPaths.computerSystem(id)
                    + "} WHERE ResultClass = Msvm_VirtualSystemSettingData").getFirst().path();
            CimInstance sasd = CimInstance.builder("Msvm_StorageAllocationSettingData")
                    .set("HostResource", new CimValue.TextArray(List.of("data.vhdx"))).build();
            api.awaitJob(api.invoke(vsms, "AddResourceSettings", Map.of("AffectedConfiguration", new CimValue.Ref(vssd),
                    "ResourceSettings", new CimValue.Instances(List.of(sasd)))), Duration.ofSeconds(30));
            Report written = awaitPhase(s, id, 2);
            assertEquals(1, written.ok(), "the guest wrote and read back the hot-added disk: " + written);
            assertEquals(0, written.wrong());
            assertEquals((16L << 20) / 512, written.blocks(), "READ CAPACITY of the new LUN");

            ObjectPath drive = api.query("SELECT * FROM Msvm_StorageAllocationSettingData WHERE AddressOnParent = '"
                    + hotLun + "'").getFirst().path();
            api.awaitJob(api.invoke(vsms, "RemoveResourceSettings", Map.of("ResourceSettings",
                    new CimValue.TextArray(List.of(drive.toString())))), Duration.ofSeconds(30));
            model.close();
            Report gone = awaitPhase(s, id, 3);
            assertEquals(SRB_STATUS_INVALID_LUN, gone.srb(), "a read of the removed LUN: " + gone);
            System.out.printf("hotplug: guest wrote %d bytes to the hot-added LUN %d (seed 0x%x, %d blocks), after the removal "
                    + "its read got SRB 0x%x, SCSI status 0x%x, sense %x/%x%n", WRITE_BYTES, hotLun, written.seed(),
                    written.blocks(), gone.srb(), gone.scsi(), gone.senseKey(), gone.asc());

            byte[] onHost = new byte[WRITE_BYTES];
            try (VhdxDisk d = VhdxDisk.open(data, OpenOptions.readOnly())) {
                d.read(0, java.nio.ByteBuffer.wrap(onHost));
            }
            assertArrayEquals(DiskPattern.bytes(written.seed(), 0, WRITE_BYTES), onHost, "the host file holds what the guest wrote");
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!(s.get(id).orElseThrow().state() instanceof VmState.Off) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertInstanceOf(VmState.Off.class, s.get(id).orElseThrow().state(), "the guest powered off after its last phase");
        }
    }
}
