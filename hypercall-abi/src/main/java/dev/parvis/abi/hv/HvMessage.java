package dev.parvis.abi.hv;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.Arrays;
import java.util.Objects;

import static dev.parvis.abi.layout.LittleEndian.U16;
import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.U8;
import static dev.parvis.abi.layout.LittleEndian.bytes;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u16;
import static dev.parvis.abi.layout.LittleEndian.u32;
import static dev.parvis.abi.layout.LittleEndian.u64;
import static dev.parvis.abi.layout.LittleEndian.u8;

/**
 * HV_MESSAGE, the 256-byte unit of a SIMP slot and of HvCallPostMessageDirect (reference
 * section 5.1). {@code sender} is the origination id (low 24 bits = port id for port messages).
 */
public record HvMessage(HvMessageType type, byte flags, long sender, byte[] payload) {
    public static final int SIZE = 256;
    public static final int MAX_PAYLOAD = 240;
    public static final int FLAG_PENDING = 0x1;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("message_type"),
            U8.withName("payload_size"),
            U8.withName("message_flags"),
            U16.withName("reserved"),
            U64.withName("sender"),
            bytes(MAX_PAYLOAD, "payload"));

    private static final long MESSAGE_TYPE = offset(LAYOUT, "message_type");
    private static final long PAYLOAD_SIZE = offset(LAYOUT, "payload_size");
    private static final long MESSAGE_FLAGS = offset(LAYOUT, "message_flags");
    private static final long SENDER = offset(LAYOUT, "sender");
    private static final long PAYLOAD = offset(LAYOUT, "payload");

    public HvMessage {
        Objects.requireNonNull(type, "type");
        if (payload.length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("HV_MESSAGE payload of " + payload.length + " bytes exceeds " + MAX_PAYLOAD);
        }
        payload = payload.clone();
    }

    public static HvMessage of(HvMessageType type, byte[] payload) {
        return new HvMessage(type, (byte) 0, 0, payload);
    }

    /** Clamps payload_size to 240 because the slot may hold whatever a hostile writer left there. */
    public static HvMessage read(MemorySegment s) {
        int size = Math.min(u8(s, PAYLOAD_SIZE) & 0xFF, MAX_PAYLOAD);
        return new HvMessage(new HvMessageType(u32(s, MESSAGE_TYPE)), u8(s, MESSAGE_FLAGS), u64(s, SENDER),
                bytes(s, PAYLOAD, size));
    }

    /** Writes all 256 bytes; the unused payload tail is zeroed so no stale data reaches the guest. */
    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u32(s, MESSAGE_TYPE, type.raw());
        u8(s, PAYLOAD_SIZE, (byte) payload.length);
        u8(s, MESSAGE_FLAGS, flags);
        u64(s, SENDER, sender);
        bytes(s, PAYLOAD, MAX_PAYLOAD, payload);
    }

    public boolean isPending() {
        return (flags & FLAG_PENDING) != 0;
    }

    public HvMessage withFlags(byte newFlags) {
        return new HvMessage(type, newFlags, sender, payload);
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    public int payloadSize() {
        return payload.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HvMessage m && type.equals(m.type) && flags == m.flags && sender == m.sender
                && Arrays.equals(payload, m.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, flags, sender, Arrays.hashCode(payload));
    }

    @Override
    public String toString() {
        return "HvMessage[type=" + type + ", flags=" + flags + ", sender=" + sender + ", payload=" + payload.length + " B]";
    }
}
