package dev.parvis.abi.vmbus;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.Arrays;
import java.util.Objects;

import static dev.parvis.abi.layout.LittleEndian.U16;
import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.U8;
import static dev.parvis.abi.layout.LittleEndian.bytes;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u16;
import static dev.parvis.abi.layout.LittleEndian.u32;
import static dev.parvis.abi.layout.LittleEndian.u8;

/**
 * OFFERCHANNEL (1), host to guest, 196 bytes with the header (reference section 6.4). The
 * 120-byte user-defined area is always held at full length (shorter input is zero-padded); in
 * pipe mode it starts with pipe_type u32. {@code monitorAllocated} and {@code dedicatedInterrupt}
 * are bit 0 of their fields.
 */
public record OfferChannel(ChannelMessageHeader header, Guid interfaceType, Guid interfaceInstance, short channelFlags,
                           short mmioMegabytes, byte[] userDefined, short subChannelIndex, int childRelid,
                           byte monitorId, boolean monitorAllocated, boolean dedicatedInterrupt, int connectionId)
        implements ChannelMessage {
    public static final ChannelMessageType TYPE = ChannelMessageType.OFFER_CHANNEL;
    public static final int SIZE = 196;
    public static final int USER_DEFINED_SIZE = 120;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ChannelMessageHeader.LAYOUT.withName("header"),
            Guid.LAYOUT.withName("interface_type"),
            Guid.LAYOUT.withName("interface_instance"),
            bytes(16, "reserved1"),
            U16.withName("channel_flags"),
            U16.withName("mmio_megabytes"),
            bytes(USER_DEFINED_SIZE, "user_defined"),
            U16.withName("sub_channel_index"),
            U16.withName("reserved3"),
            U32.withName("child_relid"),
            U8.withName("monitor_id"),
            U8.withName("monitor_allocated"),
            U16.withName("is_dedicated_interrupt"),
            U32.withName("connection_id"));

    private static final long INTERFACE_TYPE = offset(LAYOUT, "interface_type");
    private static final long INTERFACE_INSTANCE = offset(LAYOUT, "interface_instance");
    private static final long CHANNEL_FLAGS = offset(LAYOUT, "channel_flags");
    private static final long MMIO_MEGABYTES = offset(LAYOUT, "mmio_megabytes");
    private static final long USER_DEFINED = offset(LAYOUT, "user_defined");
    private static final long SUB_CHANNEL_INDEX = offset(LAYOUT, "sub_channel_index");
    private static final long CHILD_RELID = offset(LAYOUT, "child_relid");
    private static final long MONITOR_ID = offset(LAYOUT, "monitor_id");
    private static final long MONITOR_ALLOCATED = offset(LAYOUT, "monitor_allocated");
    private static final long IS_DEDICATED_INTERRUPT = offset(LAYOUT, "is_dedicated_interrupt");
    private static final long CONNECTION_ID = offset(LAYOUT, "connection_id");

    public OfferChannel {
        ChannelMessageHeader.require(header, TYPE);
        Objects.requireNonNull(interfaceType, "interfaceType");
        Objects.requireNonNull(interfaceInstance, "interfaceInstance");
        userDefined = padded(userDefined);
    }

    public OfferChannel(Guid interfaceType, Guid interfaceInstance, short channelFlags, short mmioMegabytes,
                        byte[] userDefined, short subChannelIndex, int childRelid, byte monitorId,
                        boolean monitorAllocated, boolean dedicatedInterrupt, int connectionId) {
        this(new ChannelMessageHeader(TYPE), interfaceType, interfaceInstance, channelFlags, mmioMegabytes, userDefined,
                subChannelIndex, childRelid, monitorId, monitorAllocated, dedicatedInterrupt, connectionId);
    }

    public static OfferChannel read(MemorySegment s) {
        return new OfferChannel(ChannelMessageHeader.read(s),
                Guid.read(s.asSlice(INTERFACE_TYPE, Guid.SIZE)),
                Guid.read(s.asSlice(INTERFACE_INSTANCE, Guid.SIZE)),
                u16(s, CHANNEL_FLAGS), u16(s, MMIO_MEGABYTES),
                bytes(s, USER_DEFINED, USER_DEFINED_SIZE),
                u16(s, SUB_CHANNEL_INDEX), u32(s, CHILD_RELID), u8(s, MONITOR_ID),
                (u8(s, MONITOR_ALLOCATED) & 1) != 0,
                (u16(s, IS_DEDICATED_INTERRUPT) & 1) != 0,
                u32(s, CONNECTION_ID));
    }

    @Override
    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        header.write(s);
        interfaceType.write(s.asSlice(INTERFACE_TYPE, Guid.SIZE));
        interfaceInstance.write(s.asSlice(INTERFACE_INSTANCE, Guid.SIZE));
        u16(s, CHANNEL_FLAGS, channelFlags);
        u16(s, MMIO_MEGABYTES, mmioMegabytes);
        bytes(s, USER_DEFINED, USER_DEFINED_SIZE, userDefined);
        u16(s, SUB_CHANNEL_INDEX, subChannelIndex);
        u32(s, CHILD_RELID, childRelid);
        u8(s, MONITOR_ID, monitorId);
        u8(s, MONITOR_ALLOCATED, (byte) (monitorAllocated ? 1 : 0));
        u16(s, IS_DEDICATED_INTERRUPT, (short) (dedicatedInterrupt ? 1 : 0));
        u32(s, CONNECTION_ID, connectionId);
    }

    @Override
    public int size() {
        return SIZE;
    }

    public boolean hasFlag(int offerFlag) {
        return (channelFlags & offerFlag) != 0;
    }

    /** Pipe mode: the pipe type in the first word of the user-defined area. */
    public int pipeType() {
        return MemorySegment.ofArray(userDefined).get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED
                .withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 0);
    }

    @Override
    public byte[] userDefined() {
        return userDefined.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OfferChannel m && header.equals(m.header) && interfaceType.equals(m.interfaceType)
                && interfaceInstance.equals(m.interfaceInstance) && channelFlags == m.channelFlags
                && mmioMegabytes == m.mmioMegabytes && Arrays.equals(userDefined, m.userDefined)
                && subChannelIndex == m.subChannelIndex && childRelid == m.childRelid && monitorId == m.monitorId
                && monitorAllocated == m.monitorAllocated && dedicatedInterrupt == m.dedicatedInterrupt
                && connectionId == m.connectionId;
    }

    @Override
    public int hashCode() {
        return Objects.hash(interfaceType, interfaceInstance, channelFlags, mmioMegabytes, Arrays.hashCode(userDefined),
                subChannelIndex, childRelid, monitorId, monitorAllocated, dedicatedInterrupt, connectionId);
    }

    @Override
    public String toString() {
        return "OfferChannel[interfaceType=" + interfaceType + ", interfaceInstance=" + interfaceInstance
                + ", channelFlags=0x" + Integer.toHexString(channelFlags & 0xFFFF) + ", mmioMegabytes=" + mmioMegabytes
                + ", subChannelIndex=" + subChannelIndex + ", childRelid=" + childRelid
                + ", monitorId=" + (monitorId & 0xFF) + ", monitorAllocated=" + monitorAllocated
                + ", dedicatedInterrupt=" + dedicatedInterrupt + ", connectionId=0x" + Integer.toHexString(connectionId) + "]";
    }

    /** A copy of {@code data} zero-padded to {@code USER_DEFINED_SIZE}; null means all zeros. */
    static byte[] padded(byte[] data) {
        if (data == null) {
            return new byte[USER_DEFINED_SIZE];
        }
        if (data.length > USER_DEFINED_SIZE) {
            throw new IllegalArgumentException("user-defined area of " + data.length + " bytes exceeds " + USER_DEFINED_SIZE);
        }
        return Arrays.copyOf(data, USER_DEFINED_SIZE);
    }
}
