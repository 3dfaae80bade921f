package dev.parvis.vmbus.device;

/** What became of a packet a device sent on a channel. */
public enum SendResult {
    /** The packet is in the host-to-guest ring. */
    SENT,
    /** The ring stayed full until the send's deadline; nothing was written. */
    RING_FULL,
    /** The packet is larger than the ring can ever hold. */
    TOO_LARGE,
    /** The channel is closed or closing. */
    CLOSED
}
