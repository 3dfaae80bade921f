package dev.parvis.abi.vmbus;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.clear;

/**
 * ALLOFFERS_DELIVERED (4), host to guest: the last offer has been sent; 8 bytes with the header (reference section 6.4).
 */
public record AllOffersDelivered(ChannelMessageHeader header) implements ChannelMessage {
    public static final ChannelMessageType TYPE = ChannelMessageType.ALL_OFFERS_DELIVERED;
    public static final int SIZE = 8;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ChannelMessageHeader.LAYOUT.withName("header"));

    public AllOffersDelivered {
        ChannelMessageHeader.require(header, TYPE);
    }

    public AllOffersDelivered() {
        this(new ChannelMessageHeader(TYPE));
    }

    public static AllOffersDelivered read(MemorySegment s) {
        return new AllOffersDelivered(ChannelMessageHeader.read(s));
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
