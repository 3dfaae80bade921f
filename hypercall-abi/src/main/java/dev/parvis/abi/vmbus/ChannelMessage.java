package dev.parvis.abi.vmbus;

import java.lang.foreign.MemorySegment;

/**
 * A VMBus channel message (reference sections 6.3-6.4): one record per message type, each with
 * the 8-byte header as its first field. Types 18-21 and 23 (reserved channels, hv_sock) are not
 * modelled and parse as malformed.
 */
public sealed interface ChannelMessage
        permits OfferChannel, RescindChannelOffer, RequestOffers, AllOffersDelivered, OpenChannel, OpenChannelResult,
        CloseChannel, GpadlHeader, GpadlBody, GpadlCreated, GpadlTeardown, GpadlTorndown, RelidReleased,
        InitiateContact, VersionResponse, Unload, UnloadResponse, ModifyChannel, ModifyChannelResponse {

    ChannelMessageHeader header();

    /** Writes the message's {@link #size()} bytes, zeroing reserved fields. */
    void write(MemorySegment s);

    /** Bytes of the fixed layout, header included; GPADL messages add their range words. */
    int size();

    default ChannelMessageType type() {
        return header().messageType();
    }

    /** The {@link #size()} bytes of this message. */
    default byte[] toBytes() {
        byte[] out = new byte[size()];
        write(MemorySegment.ofArray(out));
        return out;
    }

    /**
     * Parses the first {@code length} bytes of {@code message}, a message received from the other
     * side. Checks the length against 240 bytes, the segment and the type's minimum size (longer
     * messages of later protocol versions parse as their base form), and for GPADL_HEADER and
     * GPADL_BODY that the declared ranges and PFNs fit inside {@code length}. Reads nothing past
     * {@code length}.
     *
     * @throws MalformedChannelMessageException for anything wrong, and nothing else for any input
     */
    static ChannelMessage parse(MemorySegment message, int length) throws MalformedChannelMessageException {
        return ChannelMessageParser.parse(message, length);
    }

    /** The smallest valid length of a message of {@code type}, or -1 for a type that is not modelled. */
    static int minimumSize(ChannelMessageType type) {
        return ChannelMessageParser.minimumSize(type);
    }
}
