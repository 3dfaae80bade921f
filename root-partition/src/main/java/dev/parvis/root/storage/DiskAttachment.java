package dev.parvis.root.storage;

import dev.parvis.root.config.DeviceConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One disk of a VM: which SCSI controller (0, 1, ...) and LUN it sits on, its VHDX file, and whether
 * the guest may write it.
 */
public record DiskAttachment(int controller, int lun, Path path, boolean readOnly) {
    /** Controllers per VM (Hyper-V allows 4 synthetic SCSI controllers). */
    public static final int MAX_CONTROLLERS = 4;
    /** LUNs per controller (Hyper-V: 64). */
    public static final int MAX_LUNS = 64;

    public DiskAttachment {
        Objects.requireNonNull(path, "path");
        if (controller < 0 || controller >= MAX_CONTROLLERS) {
            throw new IllegalArgumentException("controller " + controller + " is outside 0-" + (MAX_CONTROLLERS - 1));
        }
        if (lun < 0 || lun >= MAX_LUNS) {
            throw new IllegalArgumentException("LUN " + lun + " is outside 0-" + (MAX_LUNS - 1));
        }
    }

    /**
     * The disks of a VM configuration, in config order; a disk without a LUN takes the lowest LUN of
     * its controller that no disk names.
     *
     * @throws IllegalArgumentException when two disks name the same controller and LUN
     */
    public static List<DiskAttachment> of(List<DeviceConfig> devices) {
        Map<Integer, Set<Integer>> taken = new HashMap<>();
        for (DeviceConfig d : devices) {
            if (d instanceof DeviceConfig.Disk disk && disk.lun() != DeviceConfig.Disk.NEXT_FREE_LUN
                    && !taken.computeIfAbsent(disk.controller(), c -> new HashSet<>()).add(disk.lun())) {
                throw new IllegalArgumentException("two disks on controller " + disk.controller() + ", LUN " + disk.lun());
            }
        }
        List<DiskAttachment> out = new ArrayList<>();
        for (DeviceConfig d : devices) {
            if (d instanceof DeviceConfig.Disk disk) {
                int lun = disk.lun() != DeviceConfig.Disk.NEXT_FREE_LUN ? disk.lun() : nextFree(taken.computeIfAbsent(disk.controller(), c -> new HashSet<>()));
                out.add(new DiskAttachment(disk.controller(), lun, Path.of(disk.path()), disk.readOnly()));
            }
        }
        return out;
    }

    private static int nextFree(Set<Integer> taken) {
        int lun = 0;
        while (taken.contains(lun)) {
            lun++;
        }
        if (lun >= MAX_LUNS) {
            throw new IllegalArgumentException("more than " + MAX_LUNS + " disks on one controller");
        }
        taken.add(lun);
        return lun;
    }
}
