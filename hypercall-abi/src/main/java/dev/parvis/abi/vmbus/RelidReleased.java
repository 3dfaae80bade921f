package dev.parvis.abi.vmbus;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;

/**
 * RELID_RELEASED (13), guest to host: the relid of a rescinded channel may be reused; 12 bytes with the header (reference section 6.4).
 */
public record RelidReleased(ChannelMessageHeader header, int childRelid) implements ChannelMessage {
    public static final ChannelMessageType TYPE = ChannelMessageType.RELID_RELEASED;
    public static final int SIZE = 12;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ChannelMessageHeader.LAYOUT.withName("header"),
            U32.withName("child_relid"));

    private static final long CHILD_RELID = offset(LAYOUT, "child_relid");

    public RelidReleased {
        ChannelMessageHeader.require(header, TYPE);
    }

    public RelidReleased(int childRelid) {
        this(new ChannelMessageHeader(TYPE), childRelid);
    }

    public static RelidReleased read(MemorySegment s) {
        return new RelidReleased(ChannelMessageHeader.read(s), u32(s, CHILD_RELID));
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
