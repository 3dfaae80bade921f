package dev.parvis.abi.vmbus;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U16;
import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.U8;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;
import static dev.parvis.abi.layout.LittleEndian.u8;

/**
 * VERSION_RESPONSE (15), host to guest, 16 bytes with the header (reference section 6.4).
 * {@code connectionState} is one of {@code VmbusConstants.CONNECTION_STATE_*}; for protocol 5.0+
 * {@code messageConnectionId} is the connection id for the guest's further messages.
 */
public record VersionResponse(ChannelMessageHeader header, boolean versionSupported, byte connectionState,
                              int messageConnectionId) implements ChannelMessage {
    public static final ChannelMessageType TYPE = ChannelMessageType.VERSION_RESPONSE;
    public static final int SIZE = 16;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ChannelMessageHeader.LAYOUT.withName("header"),
            U8.withName("version_supported"),
            U8.withName("connection_state"),
            U16.withName("padding"),
            U32.withName("msg_conn_id"));

    private static final long VERSION_SUPPORTED = offset(LAYOUT, "version_supported");
    private static final long CONNECTION_STATE = offset(LAYOUT, "connection_state");
    private static final long MSG_CONN_ID = offset(LAYOUT, "msg_conn_id");

    public VersionResponse {
        ChannelMessageHeader.require(header, TYPE);
    }

    public VersionResponse(boolean versionSupported, byte connectionState, int messageConnectionId) {
        this(new ChannelMessageHeader(TYPE), versionSupported, connectionState, messageConnectionId);
    }

    /** A successful answer carrying the connection id for further messages. */
    public static VersionResponse supported(int messageConnectionId) {
        return new VersionResponse(true, (byte) VmbusConstants.CONNECTION_STATE_SUCCESS, messageConnectionId);
    }

    /** The answer to a version this host does not speak. */
    public static VersionResponse unsupported() {
        return new VersionResponse(false, (byte) VmbusConstants.CONNECTION_STATE_SUCCESS, 0);
    }

    public static VersionResponse read(MemorySegment s) {
        return new VersionResponse(ChannelMessageHeader.read(s), u8(s, VERSION_SUPPORTED) != 0,
                u8(s, CONNECTION_STATE), u32(s, MSG_CONN_ID));
    }

    @Override
    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        header.write(s);
        u8(s, VERSION_SUPPORTED, (byte) (versionSupported ? 1 : 0));
        u8(s, CONNECTION_STATE, connectionState);
        u32(s, MSG_CONN_ID, messageConnectionId);
    }

    @Override
    public int size() {
        return SIZE;
    }
}
