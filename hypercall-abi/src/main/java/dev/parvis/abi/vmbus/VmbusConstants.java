package dev.parvis.abi.vmbus;

/**
 * VMBus transport numbers, limits and flags (reference sections 6.1, 6.4, 7). Exported to C as
 * {@code VMBUS_<NAME>}.
 */
public final class VmbusConstants {
    /** SINT carrying VMBus messages and channel events in the guest. */
    public static final int MESSAGE_SINT = 2;
    /** HV_MESSAGE type of every VMBus channel message. */
    public static final int HV_MESSAGE_TYPE = 1;
    /** Guest-to-host message connection id, protocol below 5.0. */
    public static final int MESSAGE_CONNECTION_ID = 1;
    /** Connection id of INITIATE_CONTACT for protocol 5.0 and later. */
    public static final int MESSAGE_CONNECTION_ID_4 = 4;
    /** Shared event connection id (pre-Win8 interrupt page). */
    public static final int EVENT_CONNECTION_ID = 2;
    public static final int MONITOR_CONNECTION_ID = 3;
    /** Largest channel message, 8-byte header included. */
    public static final int MAX_MESSAGE_SIZE = 240;
    /** PFNs that fit in a GPADL_HEADER after one gpa_range: (240 - 20 - 8) / 8. */
    public static final int MAX_GPADL_HEADER_PFNS = 26;
    /** PFNs that fit in a GPADL_BODY: (240 - 16) / 8. */
    public static final int MAX_GPADL_BODY_PFNS = 28;
    /** Relids stay below this because a relid doubles as the SINT2 event flag number. */
    public static final int MAX_CHANNELS = 2048;
    /** Channel connection id = base | relid (OpenVMM's VTL0 scheme). */
    public static final int CHANNEL_CONNECTION_ID_BASE = 0x2000;
    /** Packet descriptor flag bit 0. */
    public static final int PACKET_FLAG_COMPLETION_REQUESTED = 1;
    /** Ring control feature bit 0: pending_send_size signalling. */
    public static final int RING_FEATURE_PENDING_SEND_SIZE = 1;
    public static final int RING_CONTROL_SIZE = 4096;
    public static final int PACKET_ALIGNMENT = 8;
    public static final int PACKET_TRAILER_SIZE = 8;
    public static final int OFFER_FLAG_ENUMERATE_DEVICE_INTERFACE = 0x1;
    public static final int OFFER_FLAG_NAMED_PIPE_MODE = 0x10;
    public static final int OFFER_FLAG_REQUEST_MONITORED_NOTIFICATION = 0x400;
    public static final int MONITOR_ID_NONE = 0xFF;
    /** Pipe mode, offer user-defined area u32 @60 (offset 0 of the area). */
    public static final int PIPE_TYPE_BYTE = 0;
    public static final int PIPE_TYPE_MESSAGE = 4;
    /** Pipe header packet types. */
    public static final int PIPE_PACKET_DATA = 1;
    public static final int PIPE_PACKET_PARTIAL = 2;
    /** NTSTATUS-style values of status fields. */
    public static final int STATUS_SUCCESS = 0;
    public static final int STATUS_UNSUCCESSFUL = 0x8000FFFF;
    public static final int STATUS_CONNECTION_REFUSED = 0xC0000236;
    /** VERSION_RESPONSE.connection_state. */
    public static final int CONNECTION_STATE_SUCCESS = 0;
    public static final int CONNECTION_STATE_FAILED_LOW_RESOURCES = 1;
    public static final int CONNECTION_STATE_FAILED_UNKNOWN = 2;

    private VmbusConstants() {
    }
}
