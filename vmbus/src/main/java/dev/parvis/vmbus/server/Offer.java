package dev.parvis.vmbus.server;

import dev.parvis.vmbus.device.VmbusDeviceClass;

/**
 * One relid offered on the current connection: its device, signal connection id and channel state.
 * {@code rescinded}: RESCIND_CHANNEL_OFFER was sent; {@code released}: the guest answered with
 * RELID_RELEASED while the channel was still closing (the relid is freed when the close completes);
 * {@code endedByHost}: the open channel's data path ended without the guest asking (a corrupt ring,
 * revoked ring memory, a failing device), so the guest's CLOSE_CHANNEL is still to come and is its
 * normal clean-up, not an error.
 */
final class Offer {
    final int relid;
    final VmbusDeviceClass device;
    final int connectionId;
    ChannelState state = new ChannelState.Offered();
    boolean rescinded;
    boolean released;
    boolean endedByHost;

    Offer(int relid, VmbusDeviceClass device, int connectionId) {
        this.relid = relid;
        this.device = device;
        this.connectionId = connectionId;
    }
}
