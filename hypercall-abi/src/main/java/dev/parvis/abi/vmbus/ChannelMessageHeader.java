package dev.parvis.abi.vmbus;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.Objects;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;

/** The 8-byte header of every channel message: message_type u32, padding u32 (reference section 6.1). */
public record ChannelMessageHeader(ChannelMessageType messageType) {
    public static final int SIZE = 8;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("message_type"),
            U32.withName("padding"));

    private static final long MESSAGE_TYPE = offset(LAYOUT, "message_type");
    private static final long PADDING = offset(LAYOUT, "padding");

    public ChannelMessageHeader {
        Objects.requireNonNull(messageType, "messageType");
    }

    /** Reads the type word; the padding word is ignored, as every implementation does. */
    public static ChannelMessageHeader read(MemorySegment s) {
        return new ChannelMessageHeader(new ChannelMessageType(u32(s, MESSAGE_TYPE)));
    }

    public void write(MemorySegment s) {
        u32(s, MESSAGE_TYPE, messageType.raw());
        u32(s, PADDING, 0);
    }

    /** Records call this from their canonical constructor so a header always names its record's type. */
    static ChannelMessageHeader require(ChannelMessageHeader header, ChannelMessageType expected) {
        Objects.requireNonNull(header, "header");
        if (!header.messageType.equals(expected)) {
            throw new IllegalArgumentException("a " + expected + " message cannot carry a " + header.messageType + " header");
        }
        return header;
    }
}
