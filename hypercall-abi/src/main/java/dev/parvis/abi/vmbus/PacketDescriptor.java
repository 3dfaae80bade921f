package dev.parvis.abi.vmbus;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.Objects;

import static dev.parvis.abi.layout.LittleEndian.U16;
import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u16;
import static dev.parvis.abi.layout.LittleEndian.u64;

/**
 * The 16-byte descriptor at the start of every ring packet (reference section 7.2).
 * {@code offset8} and {@code len8} count 8-byte units from the packet start; len8 excludes the
 * 8-byte trailer. The values are the guest's: callers check them against the ring before use.
 */
public record PacketDescriptor(PacketType type, short offset8, short len8, short flags, long transactionId) {
    public static final long SIZE = 16;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U16.withName("type"),
            U16.withName("offset8"),
            U16.withName("len8"),
            U16.withName("flags"),
            U64.withName("transaction_id"));
    public static final long TYPE_OFFSET = LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("type"));
    public static final long OFFSET8_OFFSET = LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("offset8"));
    public static final long LEN8_OFFSET = LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("len8"));
    public static final long FLAGS_OFFSET = LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("flags"));
    public static final long TRANSACTION_ID_OFFSET = LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("transaction_id"));

    private static final long TYPE = offset(LAYOUT, "type");
    private static final long OFFSET8 = offset(LAYOUT, "offset8");
    private static final long LEN8 = offset(LAYOUT, "len8");
    private static final long FLAGS = offset(LAYOUT, "flags");
    private static final long TRANSACTION_ID = offset(LAYOUT, "transaction_id");

    public PacketDescriptor {
        Objects.requireNonNull(type, "type");
    }

    /**
     * A descriptor for a packet whose payload starts {@code payloadOffset} bytes and ends
     * {@code packetLength} bytes after the packet start; both are rounded up to 8.
     */
    public static PacketDescriptor of(PacketType type, int payloadOffset, int packetLength, short flags, long transactionId) {
        int offset8 = (payloadOffset + 7) / 8;
        int len8 = (packetLength + 7) / 8;
        if (payloadOffset < SIZE || len8 < offset8 || len8 > 0xFFFF) {
            throw new IllegalArgumentException("payload offset " + payloadOffset + " and packet length " + packetLength
                    + " make no packet");
        }
        return new PacketDescriptor(type, (short) offset8, (short) len8, flags, transactionId);
    }

    /** Payload offset from the packet start in bytes: offset8 x 8. */
    public int payloadOffset() {
        return (offset8 & 0xFFFF) * 8;
    }

    /** Packet length without the trailer in bytes: len8 x 8. */
    public int packetLength() {
        return (len8 & 0xFFFF) * 8;
    }

    /** Payload bytes including up to 7 padding bytes; negative when a hostile offset8 exceeds len8. */
    public int payloadLength() {
        return packetLength() - payloadOffset();
    }

    /** Ring bytes the packet occupies: packetLength plus the trailer. */
    public int totalLength() {
        return packetLength() + VmbusConstants.PACKET_TRAILER_SIZE;
    }

    public boolean completionRequested() {
        return (flags & VmbusConstants.PACKET_FLAG_COMPLETION_REQUESTED) != 0;
    }

    public static PacketDescriptor read(MemorySegment s) {
        return new PacketDescriptor(new PacketType(u16(s, TYPE)), u16(s, OFFSET8), u16(s, LEN8), u16(s, FLAGS),
                u64(s, TRANSACTION_ID));
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u16(s, TYPE, type.raw());
        u16(s, OFFSET8, offset8);
        u16(s, LEN8, len8);
        u16(s, FLAGS, flags);
        u64(s, TRANSACTION_ID, transactionId);
    }
}
