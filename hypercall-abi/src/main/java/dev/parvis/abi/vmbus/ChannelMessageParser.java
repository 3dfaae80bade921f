package dev.parvis.abi.vmbus;

import java.lang.foreign.MemorySegment;
import java.util.function.Function;

/** The table behind {@link ChannelMessage#parse}: message type to minimum size and reader. */
final class ChannelMessageParser {
    private record Entry(int minimumSize, Function<MemorySegment, ChannelMessage> reader) {
    }

    /** Indexed by message type; null for types that are not modelled. */
    private static final Entry[] TABLE = new Entry[25];

    static {
        put(OfferChannel.TYPE, OfferChannel.SIZE, OfferChannel::read);
        put(RescindChannelOffer.TYPE, RescindChannelOffer.SIZE, RescindChannelOffer::read);
        put(RequestOffers.TYPE, RequestOffers.SIZE, RequestOffers::read);
        put(AllOffersDelivered.TYPE, AllOffersDelivered.SIZE, AllOffersDelivered::read);
        put(OpenChannel.TYPE, OpenChannel.SIZE, OpenChannel::read);
        put(OpenChannelResult.TYPE, OpenChannelResult.SIZE, OpenChannelResult::read);
        put(CloseChannel.TYPE, CloseChannel.SIZE, CloseChannel::read);
        put(GpadlHeader.TYPE, GpadlHeader.SIZE + GpaRange.SIZE, GpadlHeader::read);
        put(GpadlBody.TYPE, GpadlBody.SIZE, GpadlBody::read);
        put(GpadlCreated.TYPE, GpadlCreated.SIZE, GpadlCreated::read);
        put(GpadlTeardown.TYPE, GpadlTeardown.SIZE, GpadlTeardown::read);
        put(GpadlTorndown.TYPE, GpadlTorndown.SIZE, GpadlTorndown::read);
        put(RelidReleased.TYPE, RelidReleased.SIZE, RelidReleased::read);
        put(InitiateContact.TYPE, InitiateContact.SIZE, InitiateContact::read);
        put(VersionResponse.TYPE, VersionResponse.SIZE, VersionResponse::read);
        put(Unload.TYPE, Unload.SIZE, Unload::read);
        put(UnloadResponse.TYPE, UnloadResponse.SIZE, UnloadResponse::read);
        put(ModifyChannel.TYPE, ModifyChannel.SIZE, ModifyChannel::read);
        put(ModifyChannelResponse.TYPE, ModifyChannelResponse.SIZE, ModifyChannelResponse::read);
    }

    private ChannelMessageParser() {
    }

    private static void put(ChannelMessageType type, int minimumSize, Function<MemorySegment, ChannelMessage> reader) {
        TABLE[type.raw()] = new Entry(minimumSize, reader);
    }

    static int minimumSize(ChannelMessageType type) {
        Entry e = entry(type);
        return e == null ? -1 : e.minimumSize();
    }

    static ChannelMessage parse(MemorySegment message, int length) {
        requireLength(message, length, null, ChannelMessageHeader.SIZE);
        MemorySegment m = message.asSlice(0, length);
        ChannelMessageType type = ChannelMessageHeader.read(m).messageType();
        Entry e = entry(type);
        if (e == null) {
            throw new MalformedChannelMessageException(type, length, "unsupported message type");
        }
        requireLength(m, length, type, e.minimumSize());
        if (type.equals(GpadlHeader.TYPE)) {
            GpadlHeader.validate(m, length);
        } else if (type.equals(GpadlBody.TYPE)) {
            GpadlBody.validate(m, length);
        }
        return e.reader().apply(m);
    }

    /** {@code length} is within [minimum, 240] and within the segment. */
    static void requireLength(MemorySegment message, int length, ChannelMessageType type, int minimum) {
        if (length < minimum) {
            throw new MalformedChannelMessageException(type, length, "shorter than the minimum of " + minimum + " bytes");
        }
        if (length > VmbusConstants.MAX_MESSAGE_SIZE) {
            throw new MalformedChannelMessageException(type, length, "longer than "
                    + VmbusConstants.MAX_MESSAGE_SIZE + " bytes");
        }
        if (length > message.byteSize()) {
            throw new MalformedChannelMessageException(type, length, "longer than its " + message.byteSize()
                    + "-byte buffer");
        }
    }

    private static Entry entry(ChannelMessageType type) {
        int raw = type.raw();
        return raw >= 0 && raw < TABLE.length ? TABLE[raw] : null;
    }
}
