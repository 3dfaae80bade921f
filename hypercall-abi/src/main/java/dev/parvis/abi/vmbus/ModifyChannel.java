package dev.parvis.abi.vmbus;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;

/**
 * MODIFYCHANNEL (22), guest to host: move the channel's interrupt to target_vp (protocol 4.1+); 16 bytes with the header (reference section 6.4).
 */
public record ModifyChannel(ChannelMessageHeader header, int childRelid, int targetVp) implements ChannelMessage {
    public static final ChannelMessageType TYPE = ChannelMessageType.MODIFY_CHANNEL;
    public static final int SIZE = 16;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ChannelMessageHeader.LAYOUT.withName("header"),
            U32.withName("child_relid"),
            U32.withName("target_vp"));

    private static final long CHILD_RELID = offset(LAYOUT, "child_relid");
    private static final long TARGET_VP = offset(LAYOUT, "target_vp");

    public ModifyChannel {
        ChannelMessageHeader.require(header, TYPE);
    }

    public ModifyChannel(int childRelid, int targetVp) {
        this(new ChannelMessageHeader(TYPE), childRelid, targetVp);
    }

    public static ModifyChannel read(MemorySegment s) {
        return new ModifyChannel(ChannelMessageHeader.read(s), u32(s, CHILD_RELID), u32(s, TARGET_VP));
    }

    @Override
    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        header.write(s);
        u32(s, CHILD_RELID, childRelid);
        u32(s, TARGET_VP, targetVp);
    }

    @Override
    public int size() {
        return SIZE;
    }
}
