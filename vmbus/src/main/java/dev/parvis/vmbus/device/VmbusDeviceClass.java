package dev.parvis.vmbus.device;

import dev.parvis.abi.vmbus.Guid;

/**
 * A device the VMBus server offers to a child: one OFFER_CHANNEL per registered instance. The
 * server calls {@link #open} when the guest opens the channel; the handler it returns receives
 * the channel's packets until the channel closes.
 */
public interface VmbusDeviceClass {
    /** The largest guest-to-host packet a device accepts unless it says otherwise (descriptor included). */
    int DEFAULT_MAX_PACKET_BYTES = 24 * 1024;

    /** The device class (interface type) GUID, e.g. {@code DeviceClass.ECHO}. */
    Guid interfaceType();

    /** The instance GUID, unique among the instances of one interface type. */
    Guid instance();

    /** Offer flags ({@code VmbusConstants.OFFER_FLAG_*}); none by default. */
    default short offerFlags() {
        return 0;
    }

    /** MMIO space the device asks for, in MiB; none by default. */
    default short mmioMegabytes() {
        return 0;
    }

    /** The offer's user-defined area, at most 120 bytes, zero-padded on the wire; empty by default. */
    default byte[] userDefined() {
        return new byte[0];
    }

    /**
     * The largest guest-to-host packet (descriptor, type header and payload) this device accepts.
     * The channel's receive buffer has this size (or the inbound ring's, if smaller), whatever ring
     * the guest offers; a larger packet closes the channel (docs/vmbus.md, "Hostile input").
     */
    default int maxPacketBytes() {
        return DEFAULT_MAX_PACKET_BYTES;
    }

    /**
     * The guest opened the channel. Runs off the control path, on the connection's request runner
     * (it may take time; only this connection's later requests wait for it). The guest gets
     * OPENCHANNEL_RESULT when it returns; until then sends on {@code channel} wait. The returned
     * handler's methods run in the channel's turns.
     *
     * @throws RuntimeException to refuse the open (the guest gets OPEN_CHANNEL_RESULT with a failure
     *     status); an Error fails the child's whole connection
     */
    ChannelHandler open(VmbusChannel channel);
}
