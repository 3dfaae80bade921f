package dev.parvis.abi.vmbus;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;

/**
 * GPADL_TORNDOWN (12), host to guest; 12 bytes with the header (reference section 6.4).
 */
public record GpadlTorndown(ChannelMessageHeader header, int gpadl) implements ChannelMessage {
    public static final ChannelMessageType TYPE = ChannelMessageType.GPADL_TORNDOWN;
    public static final int SIZE = 12;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ChannelMessageHeader.LAYOUT.withName("header"),
            U32.withName("gpadl"));

    private static final long GPADL = offset(LAYOUT, "gpadl");

    public GpadlTorndown {
        ChannelMessageHeader.require(header, TYPE);
    }

    public GpadlTorndown(int gpadl) {
        this(new ChannelMessageHeader(TYPE), gpadl);
    }

    public static GpadlTorndown read(MemorySegment s) {
        return new GpadlTorndown(ChannelMessageHeader.read(s), u32(s, GPADL));
    }

    @Override
    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        header.write(s);
        u32(s, GPADL, gpadl);
    }

    @Override
    public int size() {
        return SIZE;
    }
}
