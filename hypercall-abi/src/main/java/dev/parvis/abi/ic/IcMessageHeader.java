package dev.parvis.abi.ic;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U16;
import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.U8;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u16;
import static dev.parvis.abi.layout.LittleEndian.u32;
import static dev.parvis.abi.layout.LittleEndian.u8;

/**
 * The 20-byte icmsg header that follows the pipe header in every IC packet (reference section 9.2,
 * Linux {@code icmsg_hdr}). {@code messageSize} is the body's byte count; {@code status} an HRESULT
 * ({@code IcConstants.S_OK} ...); {@code flags} {@code IcConstants.FLAG_*}.
 */
public record IcMessageHeader(IcVersion framework, IcMessageType type, IcVersion messageVersion, int messageSize,
                              int status, byte transactionId, byte flags) {
    public static final int SIZE = 20;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U16.withName("framework_major"),
            U16.withName("framework_minor"),
            U16.withName("message_type"),
            U16.withName("message_major"),
            U16.withName("message_minor"),
            U16.withName("message_size"),
            U32.withName("status"),
            U8.withName("transaction_id"),
            U8.withName("flags"),
            U16.withName("reserved"));

    private static final long FRAMEWORK_MAJOR = offset(LAYOUT, "framework_major");
    private static final long FRAMEWORK_MINOR = offset(LAYOUT, "framework_minor");
    private static final long MESSAGE_TYPE = offset(LAYOUT, "message_type");
    private static final long MESSAGE_MAJOR = offset(LAYOUT, "message_major");
    private static final long MESSAGE_MINOR = offset(LAYOUT, "message_minor");
    private static final long MESSAGE_SIZE = offset(LAYOUT, "message_size");
    private static final long STATUS = offset(LAYOUT, "status");
    private static final long TRANSACTION_ID = offset(LAYOUT, "transaction_id");
    private static final long FLAGS = offset(LAYOUT, "flags");
    private static final long RESERVED = offset(LAYOUT, "reserved");

    public static IcMessageHeader read(MemorySegment s) {
        return new IcMessageHeader(
                new IcVersion(u16(s, FRAMEWORK_MAJOR) & 0xFFFF, u16(s, FRAMEWORK_MINOR) & 0xFFFF),
                new IcMessageType(u16(s, MESSAGE_TYPE)),
                new IcVersion(u16(s, MESSAGE_MAJOR) & 0xFFFF, u16(s, MESSAGE_MINOR) & 0xFFFF),
                u16(s, MESSAGE_SIZE) & 0xFFFF, u32(s, STATUS), u8(s, TRANSACTION_ID), u8(s, FLAGS));
    }

    public void write(MemorySegment s) {
        u16(s, FRAMEWORK_MAJOR, (short) framework.major());
        u16(s, FRAMEWORK_MINOR, (short) framework.minor());
        u16(s, MESSAGE_TYPE, type.raw());
        u16(s, MESSAGE_MAJOR, (short) messageVersion.major());
        u16(s, MESSAGE_MINOR, (short) messageVersion.minor());
        u16(s, MESSAGE_SIZE, (short) messageSize);
        u32(s, STATUS, status);
        u8(s, TRANSACTION_ID, transactionId);
        u8(s, FLAGS, flags);
        u16(s, RESERVED, (short) 0);
    }

    public boolean isResponse() {
        return (flags & IcConstants.FLAG_RESPONSE) != 0;
    }

    public boolean isRequest() {
        return (flags & IcConstants.FLAG_REQUEST) != 0;
    }
}
