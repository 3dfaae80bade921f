package dev.parvis.root.storage;

import java.nio.file.Path;
import java.util.Objects;

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
}
