package dev.parvis.devices.storvsp.protocol;

import static dev.parvis.abi.layout.LittleEndian.U16;
import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u16;
import static dev.parvis.abi.layout.LittleEndian.u32;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * The QUERY_PROPERTIES reply body (vmstorage_channel_properties, hyperv-abi-vmbus.md 10.2):
 * reserved u32, max_channel_count u16, reserved u16, flags u32, max_transfer_bytes u32, reserved u64.
 */
public record ChannelProperties(int maxChannelCount, int flags, int maxTransferBytes) {
    public static final int SUPPORTS_MULTI_CHANNEL = 0x1;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("reserved"),
            U16.withName("max_channel_count"),
            U16.withName("reserved1"),
            U32.withName("flags"),
            U32.withName("max_transfer_bytes"),
            U64.withName("reserved2"));

    private static final long MAX_CHANNEL_COUNT = offset(LAYOUT, "max_channel_count");
    private static final long FLAGS = offset(LAYOUT, "flags");
    private static final long MAX_TRANSFER_BYTES = offset(LAYOUT, "max_transfer_bytes");

    public static ChannelProperties read(MemorySegment body) {
        return new ChannelProperties(Short.toUnsignedInt(u16(body, MAX_CHANNEL_COUNT)), u32(body, FLAGS),
                u32(body, MAX_TRANSFER_BYTES));
    }

    public void write(MemorySegment body) {
        u16(body, MAX_CHANNEL_COUNT, (short) maxChannelCount);
        u32(body, FLAGS, flags);
        u32(body, MAX_TRANSFER_BYTES, maxTransferBytes);
    }
}
