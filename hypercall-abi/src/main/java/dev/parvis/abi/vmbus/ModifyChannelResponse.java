package dev.parvis.abi.vmbus;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;

/**
 * MODIFYCHANNEL_RESPONSE (24), host to guest (protocol 5.3+); 16 bytes with the header (reference section 6.4).
 */
public record ModifyChannelResponse(ChannelMessageHeader header, int childRelid, int status) implements ChannelMessage {
    public static final ChannelMessageType TYPE = ChannelMessageType.MODIFY_CHANNEL_RESPONSE;
    public static final int SIZE = 16;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ChannelMessageHeader.LAYOUT.withName("header"),
            U32.withName("child_relid"),
            U32.withName("status"));

    private static final long CHILD_RELID = offset(LAYOUT, "child_relid");
    private static final long STATUS = offset(LAYOUT, "status");

    public ModifyChannelResponse {
        ChannelMessageHeader.require(header, TYPE);
    }

    public ModifyChannelResponse(int childRelid, int status) {
        this(new ChannelMessageHeader(TYPE), childRelid, status);
    }

    public static ModifyChannelResponse read(MemorySegment s) {
        return new ModifyChannelResponse(ChannelMessageHeader.read(s), u32(s, CHILD_RELID), u32(s, STATUS));
    }

    @Override
    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        header.write(s);
        u32(s, CHILD_RELID, childRelid);
        u32(s, STATUS, status);
    }

    @Override
    public int size() {
        return SIZE;
    }
}
