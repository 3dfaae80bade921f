package dev.parvis.abi.vmbus;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;

/**
 * GPADL_CREATED (10), host to guest; creation_status 0 is success; 20 bytes with the header (reference section 6.4).
 */
public record GpadlCreated(ChannelMessageHeader header, int childRelid, int gpadl, int creationStatus) implements ChannelMessage {
    public static final ChannelMessageType TYPE = ChannelMessageType.GPADL_CREATED;
    public static final int SIZE = 20;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ChannelMessageHeader.LAYOUT.withName("header"),
            U32.withName("child_relid"),
            U32.withName("gpadl"),
            U32.withName("creation_status"));

    private static final long CHILD_RELID = offset(LAYOUT, "child_relid");
    private static final long GPADL = offset(LAYOUT, "gpadl");
    private static final long CREATION_STATUS = offset(LAYOUT, "creation_status");

    public GpadlCreated {
        ChannelMessageHeader.require(header, TYPE);
    }

    public GpadlCreated(int childRelid, int gpadl, int creationStatus) {
        this(new ChannelMessageHeader(TYPE), childRelid, gpadl, creationStatus);
    }

    public static GpadlCreated read(MemorySegment s) {
        return new GpadlCreated(ChannelMessageHeader.read(s), u32(s, CHILD_RELID), u32(s, GPADL), u32(s, CREATION_STATUS));
    }

    @Override
    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        header.write(s);
        u32(s, CHILD_RELID, childRelid);
        u32(s, GPADL, gpadl);
        u32(s, CREATION_STATUS, creationStatus);
    }

    @Override
    public int size() {
        return SIZE;
    }
}
