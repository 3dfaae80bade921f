package dev.parvis.abi.vmbus;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;

/**
 * GPADL_TEARDOWN (11), guest to host; 16 bytes with the header (reference section 6.4).
 */
public record GpadlTeardown(ChannelMessageHeader header, int childRelid, int gpadl) implements ChannelMessage {
    public static final ChannelMessageType TYPE = ChannelMessageType.GPADL_TEARDOWN;
    public static final int SIZE = 16;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ChannelMessageHeader.LAYOUT.withName("header"),
            U32.withName("child_relid"),
            U32.withName("gpadl"));

    private static final long CHILD_RELID = offset(LAYOUT, "child_relid");
    private static final long GPADL = offset(LAYOUT, "gpadl");

    public GpadlTeardown {
        ChannelMessageHeader.require(header, TYPE);
    }

    public GpadlTeardown(int childRelid, int gpadl) {
        this(new ChannelMessageHeader(TYPE), childRelid, gpadl);
    }

    public static GpadlTeardown read(MemorySegment s) {
        return new GpadlTeardown(ChannelMessageHeader.read(s), u32(s, CHILD_RELID), u32(s, GPADL));
    }

    @Override
    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        header.write(s);
        u32(s, CHILD_RELID, childRelid);
        u32(s, GPADL, gpadl);
    }

    @Override
    public int size() {
        return SIZE;
    }
}
