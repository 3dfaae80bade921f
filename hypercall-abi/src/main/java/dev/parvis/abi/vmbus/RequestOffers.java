package dev.parvis.abi.vmbus;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.clear;

/**
 * REQUESTOFFERS (3), guest to host: send me every offer; 8 bytes with the header (reference section 6.4).
 */
public record RequestOffers(ChannelMessageHeader header) implements ChannelMessage {
    public static final ChannelMessageType TYPE = ChannelMessageType.REQUEST_OFFERS;
    public static final int SIZE = 8;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ChannelMessageHeader.LAYOUT.withName("header"));

    public RequestOffers {
        ChannelMessageHeader.require(header, TYPE);
    }

    public RequestOffers() {
        this(new ChannelMessageHeader(TYPE));
    }

    public static RequestOffers read(MemorySegment s) {
        return new RequestOffers(ChannelMessageHeader.read(s));
    }

    @Override
    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        header.write(s);
    }

    @Override
    public int size() {
        return SIZE;
    }
}
