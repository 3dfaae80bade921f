package dev.parvis.root.storage;

import dev.parvis.devices.storvsp.SavedChannel;

/** One open storvsc channel of a saved VM: the SCSI controller it belongs to and where its initialization stood. */
public record DiskChannelState(int controller, SavedChannel channel) {
    public DiskChannelState {
        if (controller < 0 || controller >= DiskAttachment.MAX_CONTROLLERS) {
            throw new IllegalArgumentException("controller " + controller + " is outside 0-" + (DiskAttachment.MAX_CONTROLLERS - 1));
        }
        java.util.Objects.requireNonNull(channel, "channel");
    }
}
