package dev.parvis.abi.vmbus;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;

/**
 * CLOSECHANNEL (7), guest to host; no reply; 12 bytes with the header (reference section 6.4).
 */
public record CloseChannel(ChannelMessageHeader header, int childRelid) implements ChannelMessage {
    public static final ChannelMessageType TYPE = ChannelMessageType.CLOSE_CHANNEL;
    public static final int SIZE = 12;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ChannelMessageHeader.LAYOUT.withName("header"),
            U32.withName("child_relid"));

    private static final long CHILD_RELID = offset(LAYOUT, "child_relid");

    public CloseChannel {
        ChannelMessageHeader.require(header, TYPE);
    }

    public CloseChannel(int childRelid) {
        this(new ChannelMessageHeader(TYPE), childRelid);
    }

    public static CloseChannel read(MemorySegment s) {
        return new CloseChannel(ChannelMessageHeader.read(s), u32(s, CHILD_RELID));
    }

    @Override
    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        header.write(s);
        u32(s, CHILD_RELID, childRelid);
    }

    @Override
    public int size() {
        return SIZE;
    }
}
