package dev.parvis.abi.vmbus;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.Arrays;
import java.util.Objects;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.bytes;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;

/**
 * OPENCHANNEL (5), guest to host, 148 bytes with the header (reference section 6.4). The ring
 * GPADL's pages [0, downstream offset) are the guest-to-host ring, the rest host-to-guest. The
 * 120-byte user data is always held at full length. The OpenChannel2 tail (protocol 6.0) is not
 * modelled; a longer message parses as this one.
 */
public record OpenChannel(ChannelMessageHeader header, int childRelid, int openId, int ringBufferGpadlHandle,
                          int targetVp, int downstreamRingBufferPageOffset, byte[] userData) implements ChannelMessage {
    public static final ChannelMessageType TYPE = ChannelMessageType.OPEN_CHANNEL;
    public static final int SIZE = 148;
    public static final int USER_DATA_SIZE = 120;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ChannelMessageHeader.LAYOUT.withName("header"),
            U32.withName("child_relid"),
            U32.withName("open_id"),
            U32.withName("ring_buffer_gpadl_handle"),
            U32.withName("target_vp"),
            U32.withName("downstream_ring_buffer_page_offset"),
            bytes(USER_DATA_SIZE, "user_data"));

    private static final long CHILD_RELID = offset(LAYOUT, "child_relid");
    private static final long OPEN_ID = offset(LAYOUT, "open_id");
    private static final long RING_BUFFER_GPADL_HANDLE = offset(LAYOUT, "ring_buffer_gpadl_handle");
    private static final long TARGET_VP = offset(LAYOUT, "target_vp");
    private static final long DOWNSTREAM_RING_BUFFER_PAGE_OFFSET = offset(LAYOUT, "downstream_ring_buffer_page_offset");
    private static final long USER_DATA = offset(LAYOUT, "user_data");

    public OpenChannel {
        ChannelMessageHeader.require(header, TYPE);
        userData = OfferChannel.padded(userData);
    }

    public OpenChannel(int childRelid, int openId, int ringBufferGpadlHandle, int targetVp,
                       int downstreamRingBufferPageOffset, byte[] userData) {
        this(new ChannelMessageHeader(TYPE), childRelid, openId, ringBufferGpadlHandle, targetVp,
                downstreamRingBufferPageOffset, userData);
    }

    public static OpenChannel read(MemorySegment s) {
        return new OpenChannel(ChannelMessageHeader.read(s), u32(s, CHILD_RELID), u32(s, OPEN_ID),
                u32(s, RING_BUFFER_GPADL_HANDLE), u32(s, TARGET_VP), u32(s, DOWNSTREAM_RING_BUFFER_PAGE_OFFSET),
                bytes(s, USER_DATA, USER_DATA_SIZE));
    }

    @Override
    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        header.write(s);
        u32(s, CHILD_RELID, childRelid);
        u32(s, OPEN_ID, openId);
        u32(s, RING_BUFFER_GPADL_HANDLE, ringBufferGpadlHandle);
        u32(s, TARGET_VP, targetVp);
        u32(s, DOWNSTREAM_RING_BUFFER_PAGE_OFFSET, downstreamRingBufferPageOffset);
        bytes(s, USER_DATA, USER_DATA_SIZE, userData);
    }

    @Override
    public int size() {
        return SIZE;
    }

    @Override
    public byte[] userData() {
        return userData.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OpenChannel m && header.equals(m.header) && childRelid == m.childRelid && openId == m.openId
                && ringBufferGpadlHandle == m.ringBufferGpadlHandle && targetVp == m.targetVp
                && downstreamRingBufferPageOffset == m.downstreamRingBufferPageOffset
                && Arrays.equals(userData, m.userData);
    }

    @Override
    public int hashCode() {
        return Objects.hash(childRelid, openId, ringBufferGpadlHandle, targetVp, downstreamRingBufferPageOffset,
                Arrays.hashCode(userData));
    }

    @Override
    public String toString() {
        return "OpenChannel[childRelid=" + childRelid + ", openId=" + openId + ", ringBufferGpadlHandle=0x"
                + Integer.toHexString(ringBufferGpadlHandle) + ", targetVp=" + targetVp
                + ", downstreamRingBufferPageOffset=" + downstreamRingBufferPageOffset + "]";
    }
}
