package dev.parvis.abi.vmbus;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.clear;

/**
 * UNLOAD_RESPONSE (17), host to guest: everything is closed and revoked; 8 bytes with the header (reference section 6.4).
 */
public record UnloadResponse(ChannelMessageHeader header) implements ChannelMessage {
    public static final ChannelMessageType TYPE = ChannelMessageType.UNLOAD_RESPONSE;
    public static final int SIZE = 8;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ChannelMessageHeader.LAYOUT.withName("header"));

    public UnloadResponse {
        ChannelMessageHeader.require(header, TYPE);
    }

    public UnloadResponse() {
        this(new ChannelMessageHeader(TYPE));
    }

    public static UnloadResponse read(MemorySegment s) {
        return new UnloadResponse(ChannelMessageHeader.read(s));
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
