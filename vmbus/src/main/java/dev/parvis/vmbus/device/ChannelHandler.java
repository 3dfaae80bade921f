package dev.parvis.vmbus.device;

import dev.parvis.vmbus.ring.IncomingPacket;

/**
 * A device's side of one open channel. Both methods run in the channel's turns (one at a time, on
 * whichever thread runs the turn; a turn handles a bounded number of packets, then yields to other
 * channels); {@link #onClose} runs exactly once, after the last {@link #onPacket}. Whatever either
 * throws, an Error included, closes this channel only.
 */
public interface ChannelHandler {

    /**
     * One packet from the guest. Its segments are slices of the channel's receive buffer (copied
     * out of guest memory before validation) and are valid only during this call.
     */
    void onPacket(IncomingPacket packet);

    /** The channel closed (guest close, rescind, unload, ring corruption or a host close). */
    void onClose();
}
