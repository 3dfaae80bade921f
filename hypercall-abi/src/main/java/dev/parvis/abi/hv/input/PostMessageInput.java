package dev.parvis.abi.hv.input;

import dev.parvis.abi.hv.HvMessageType;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.Arrays;
import java.util.Objects;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.bytes;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.lengthWithin;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;

/**
 * HvCallPostMessage input, 256 bytes (reference section 3.3). {@link #read} never rejects a hostile
 * payload_size: it clamps the copy to 240 bytes, and the kernel checks the raw field through
 * {@link #payloadSizeField} to answer HV_STATUS_INVALID_PARAMETER.
 */
public record PostMessageInput(int connectionId, HvMessageType messageType, byte[] payload) {
    public static final int SIZE = 256;

    public static final int MAX_PAYLOAD = 240;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("connection_id"),
            U32.withName("reserved"),
            U32.withName("message_type"),
            U32.withName("payload_size"),
            bytes(240, "payload"));

    private static final long CONNECTION_ID = offset(LAYOUT, "connection_id");
    private static final long MESSAGE_TYPE = offset(LAYOUT, "message_type");
    private static final long PAYLOAD_SIZE = offset(LAYOUT, "payload_size");
    private static final long PAYLOAD = offset(LAYOUT, "payload");

    public PostMessageInput {
        Objects.requireNonNull(messageType, "messageType");
        if (payload.length > 240) {
            throw new IllegalArgumentException("payload of " + payload.length + " bytes exceeds 240");
        }
        payload = payload.clone();
    }

    public static PostMessageInput read(MemorySegment s) {
        int connectionId = u32(s, CONNECTION_ID);
        HvMessageType messageType = new HvMessageType(u32(s, MESSAGE_TYPE));
        int payloadSize = u32(s, PAYLOAD_SIZE);
        byte[] payload = bytes(s, PAYLOAD, lengthWithin(payloadSize, 240));
        return new PostMessageInput(connectionId, messageType, payload);
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u32(s, CONNECTION_ID, connectionId);
        u32(s, MESSAGE_TYPE, messageType.raw());
        u32(s, PAYLOAD_SIZE, payload.length);
        bytes(s, PAYLOAD, 240, payload);
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PostMessageInput r && connectionId == r.connectionId
                && Objects.equals(messageType, r.messageType)
                && Arrays.equals(payload, r.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(connectionId, messageType, Arrays.hashCode(payload));
    }

    @Override
    public String toString() {
        return "PostMessageInput[connectionId=" + connectionId + ", messageType=" + messageType + ", payload=" + payload.length + " B]";
    }

    /** The raw payload_size field, unvalidated. */
    public static int payloadSizeField(MemorySegment s) {
        return u32(s, PAYLOAD_SIZE);
    }

    /** The low 24 bits are the connection id; the high 8 bits are reserved. */
    public int connectionIdValue() {
        return connectionId & 0xFF_FFFF;
    }
}
