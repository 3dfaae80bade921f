package dev.parvis.root.vm;

import dev.parvis.devices.vhdx.OpenOptions;
import dev.parvis.devices.vhdx.VhdxDisk;
import dev.parvis.root.config.DeviceConfig;
import dev.parvis.root.config.VmConfig;
import dev.parvis.root.storage.DiskAttachment;
import dev.parvis.root.storage.VmStorage;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Add-VMHardDiskDrive and Remove-VMHardDiskDrive on one VM: the disk changes in its configuration
 * and, while a partition exists, on its running SCSI controllers (the guest gets a unit attention
 * and a bus rescan). The configuration written back names every disk's LUN, so that removing one
 * disk never moves another on the next start. Runs on the VM's worker thread.
 */
final class HardDiskDrives {
    private HardDiskDrives() {
    }

    /** What a change leaves: the configuration to keep, and how to undo the live part if keeping it fails. */
    record Change(VmConfig config, Runnable undo) {
    }

    /**
     * Puts {@code disk} on its controller and LUN (the next free one when it names none).
     *
     * @param live the running partition's storage, empty when the VM has no partition
     * @param running whether the VM has a partition (every live VM has storage, controller 0 at least)
     * @throws VmException naming the disk and why: LUN taken, file already attached, not a VHDX, ...
     */
    static Change attach(VmConfig c, DeviceConfig.Disk disk, Optional<VmStorage> live, boolean running) {
        List<DiskAttachment> disks = resolved(c);
        int lun = disk.lun() != DeviceConfig.Disk.NEXT_FREE_LUN ? disk.lun() : nextFree(c, disks, disk.controller());
        for (DiskAttachment d : disks) {
            if (d.controller() == disk.controller() && d.lun() == lun) {
                throw refused(c, disk, "controller %d, LUN %d already holds %s".formatted(d.controller(), d.lun(), d.path()));
            }
            if (d.path().toAbsolutePath().normalize().equals(Path.of(disk.path()).toAbsolutePath().normalize())) {
                throw refused(c, disk, "the file is already attached at controller %d, LUN %d".formatted(d.controller(), d.lun()));
            }
        }
        DiskAttachment added = new DiskAttachment(disk.controller(), lun, Path.of(disk.path()), disk.readOnly());
        Runnable undo = () -> { };
        if (running) {
            VmStorage storage = live.orElseThrow(() -> refused(c, disk,
                    "the VM has no SCSI controller until it restarts (add the disk while it is off)"));
            attachLive(c, disk, storage, added);
            undo = () -> detachQuietly(storage, added.controller(), added.lun());
        } else {
            checkOpens(c, disk, added);
        }
        List<DeviceConfig> devices = pinned(c, disks);
        devices.add(new DeviceConfig.Disk(disk.path(), disk.controller(), lun, disk.readOnly()));
        return new Change(c.withDevices(devices), undo);
    }

    /**
     * Takes the disk off {@code controller}/{@code lun}; the file stays.
     *
     * @throws VmException when no disk of the VM sits there
     */
    static Change detach(VmConfig c, int controller, int lun, Optional<VmStorage> live) {
        List<DiskAttachment> disks = resolved(c);
        DiskAttachment gone = disks.stream().filter(d -> d.controller() == controller && d.lun() == lun).findFirst()
                .orElseThrow(() -> new VmException("Remove-VMHardDiskDrive: VM '%s' has no disk at controller %d, LUN %d"
                        .formatted(c.name(), controller, lun)));
        if (live.isPresent()) {
            try {
                live.get().detach(controller, lun);
            } catch (IOException e) {
                throw new VmException("Remove-VMHardDiskDrive: VM '%s': %s was removed but not closed cleanly: %s"
                        .formatted(c.name(), gone.path(), e.getMessage()), e);
            }
        }
        List<DiskAttachment> rest = new ArrayList<>(disks);
        rest.remove(gone);
        // A hot-removed disk cannot be put back without a new open: the config change stands.
        return new Change(c.withDevices(pinned(c, rest)), () -> { });
    }

    /** The VM's disks with their LUNs resolved (config order). */
    static List<DiskAttachment> resolved(VmConfig c) {
        try {
            return DiskAttachment.of(c.devices());
        } catch (IllegalArgumentException e) {
            throw new VmException("VM '%s': %s".formatted(c.name(), e.getMessage()), e);
        }
    }

    private static int nextFree(VmConfig c, List<DiskAttachment> disks, int controller) {
        for (int lun = 0; lun < DiskAttachment.MAX_LUNS; lun++) {
            int l = lun;
            if (disks.stream().noneMatch(d -> d.controller() == controller && d.lun() == l)) {
                return lun;
            }
        }
        throw new VmException("Add-VMHardDiskDrive: VM '%s': controller %d has no free LUN (%d disks)"
                .formatted(c.name(), controller, DiskAttachment.MAX_LUNS));
    }

    /** The devices of {@code c} with its disks replaced by {@code disks}, each at its resolved LUN. */
    private static List<DeviceConfig> pinned(VmConfig c, List<DiskAttachment> disks) {
        List<DeviceConfig> out = new ArrayList<>(c.devices().stream().filter(d -> !(d instanceof DeviceConfig.Disk)).toList());
        for (DiskAttachment d : disks) {
            out.add(new DeviceConfig.Disk(d.path().toString(), d.controller(), d.lun(), d.readOnly()));
        }
        return out;
    }

    private static void attachLive(VmConfig c, DeviceConfig.Disk disk, VmStorage storage, DiskAttachment added) {
        try {
            storage.attach(added);
        } catch (IOException | IllegalArgumentException | IllegalStateException e) {
            throw refused(c, disk, e.getMessage());
        }
    }

    /** An Off VM's disk is checked the way its start will open it: a VHDX, writable unless read-only. */
    private static void checkOpens(VmConfig c, DeviceConfig.Disk disk, DiskAttachment added) {
        try (VhdxDisk opened = VhdxDisk.open(added.path(), OpenOptions.readWrite().withWritable(!added.readOnly()))) {
            // opened and closed: the file is a VHDX the VM can use
        } catch (NoSuchFileException e) {
            throw refused(c, disk, "no such file");
        } catch (IOException | RuntimeException e) {
            throw refused(c, disk, e.getMessage());
        }
    }

    private static void detachQuietly(VmStorage storage, int controller, int lun) {
        try {
            storage.detach(controller, lun);
        } catch (IOException e) {
            // the disk is off the bus either way; the failure to keep the config is what gets reported
        }
    }

    private static VmException refused(VmConfig c, DeviceConfig.Disk disk, String why) {
        return new VmException("Add-VMHardDiskDrive: VM '%s': disk %s (controller %d): %s".formatted(c.name(), disk.path(),
                disk.controller(), why));
    }
}
