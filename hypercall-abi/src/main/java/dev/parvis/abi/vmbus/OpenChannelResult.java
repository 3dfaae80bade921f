package dev.parvis.abi.vmbus;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;

/**
 * OPENCHANNEL_RESULT (6), host to guest; status 0 is success; 20 bytes with the header (reference section 6.4).
 */
public record OpenChannelResult(ChannelMessageHeader header, int childRelid, int openId, int status) implements ChannelMessage {
    public static final ChannelMessageType TYPE = ChannelMessageType.OPEN_CHANNEL_RESULT;
    public static final int SIZE = 20;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ChannelMessageHeader.LAYOUT.withName("header"),
            U32.withName("child_relid"),
            U32.withName("open_id"),
            U32.withName("status"));

    private static final long CHILD_RELID = offset(LAYOUT, "child_relid");
    private static final long OPEN_ID = offset(LAYOUT, "open_id");
    private static final long STATUS = offset(LAYOUT, "status");

    public OpenChannelResult {
        ChannelMessageHeader.require(header, TYPE);
    }

    public OpenChannelResult(int childRelid, int openId, int status) {
        this(new ChannelMessageHeader(TYPE), childRelid, openId, status);
    }

    public static OpenChannelResult read(MemorySegment s) {
        return new OpenChannelResult(ChannelMessageHeader.read(s), u32(s, CHILD_RELID), u32(s, OPEN_ID), u32(s, STATUS));
    }

    @Override
    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        header.write(s);
        u32(s, CHILD_RELID, childRelid);
        u32(s, OPEN_ID, openId);
        u32(s, STATUS, status);
    }

    @Override
    public int size() {
        return SIZE;
    }
}
