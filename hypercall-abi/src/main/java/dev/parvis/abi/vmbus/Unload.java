package dev.parvis.abi.vmbus;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.clear;

/**
 * UNLOAD (16), guest to host: disconnect; 8 bytes with the header (reference section 6.4).
 */
public record Unload(ChannelMessageHeader header) implements ChannelMessage {
    public static final ChannelMessageType TYPE = ChannelMessageType.UNLOAD;
    public static final int SIZE = 8;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ChannelMessageHeader.LAYOUT.withName("header"));

    public Unload {
        ChannelMessageHeader.require(header, TYPE);
    }

    public Unload() {
        this(new ChannelMessageHeader(TYPE));
    }

    public static Unload read(MemorySegment s) {
        return new Unload(ChannelMessageHeader.read(s));
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
