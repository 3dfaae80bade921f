package dev.parvis.root.vm;

import dev.parvis.root.config.DeviceConfig;
import dev.parvis.root.config.VmConfig;

/**
 * A management request for one VM, handed to its {@link VmWorker} (the same request type serves
 * the CLI, the service API and the host's automatic actions). Each has a Hyper-V cmdlet name for
 * refusals and logs.
 */
public sealed interface VmRequest {
    /** The operation as a user would name it (Start-VM, Stop-VM -TurnOff, ...). */
    String operation();

    /** Start from Off (boot) or from Saved (restore). */
    record Start() implements VmRequest {
        @Override
        public String operation() {
            return "Start-VM";
        }
    }

    /** Graceful shutdown; without the shutdown integration service it turns the VM off. */
    record Stop() implements VmRequest {
        @Override
        public String operation() {
            return "Stop-VM";
        }
    }

    record TurnOff() implements VmRequest {
        @Override
        public String operation() {
            return "Stop-VM -TurnOff";
        }
    }

    record Pause() implements VmRequest {
        @Override
        public String operation() {
            return "Suspend-VM";
        }
    }

    record Resume() implements VmRequest {
        @Override
        public String operation() {
            return "Resume-VM";
        }
    }

    record Save() implements VmRequest {
        @Override
        public String operation() {
            return "Save-VM";
        }
    }

    /** Deletes the configuration and any saved state (only when Off, Saved or Failed). */
    record Delete() implements VmRequest {
        @Override
        public String operation() {
            return "Remove-VM";
        }
    }

    /** Replaces the configuration (same id); allowed when the VM is Off (name and notes in any state). */
    record Configure(VmConfig config) implements VmRequest {
        @Override
        public String operation() {
            return "Set-VM";
        }
    }

    /**
     * Add-VMHardDiskDrive: puts {@code disk} on its controller and LUN (the next free one when it
     * names none) and keeps it in the configuration; a running or paused guest sees it at once
     * (unit attention, bus rescan), an Off or Failed VM at its next start.
     */
    record AttachDisk(DeviceConfig.Disk disk) implements VmRequest {
        public AttachDisk {
            java.util.Objects.requireNonNull(disk, "disk");
        }

        @Override
        public String operation() {
            return "Add-VMHardDiskDrive";
        }
    }

    /** Remove-VMHardDiskDrive: takes the disk off {@code controller}/{@code lun} (hot on a live VM); the file stays. */
    record DetachDisk(int controller, int lun) implements VmRequest {
        @Override
        public String operation() {
            return "Remove-VMHardDiskDrive";
        }
    }
}
