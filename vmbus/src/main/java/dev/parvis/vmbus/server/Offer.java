package dev.parvis.vmbus.server;

import dev.parvis.vmbus.device.VmbusDeviceClass;

/** One relid offered on the current connection: its device, signal connection id and state. */
final class Offer {
    final int relid;
    final VmbusDeviceClass device;
    final int connectionId;
    ChannelState state = new ChannelState.Offered();

    Offer(int relid, VmbusDeviceClass device, int connectionId) {
        this.relid = relid;
        this.device = device;
        this.connectionId = connectionId;
    }
}
