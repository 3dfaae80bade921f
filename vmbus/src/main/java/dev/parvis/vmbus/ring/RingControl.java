package dev.parvis.vmbus.ring;

/**
 * Offsets and sizes of the ring control page and of a packet in the data area (reference sections
 * 7.1 and 7.2). All fields are little-endian u32 words.
 */
public final class RingControl {
    /** Size of the control page; the data area starts right after it. */
    public static final int CONTROL_SIZE = 4096;
    /** u32 byte offset in the data area where the next packet will be written; producer-owned. */
    public static final int WRITE_INDEX_OFFSET = 0;
    /** u32 byte offset of the next unread packet; consumer-owned. */
    public static final int READ_INDEX_OFFSET = 4;
    /** u32, 1 while the consumer does not want signals; consumer-owned. */
    public static final int INTERRUPT_MASK_OFFSET = 8;
    /** u32 free bytes the producer waits for, 0 when not waiting; producer-owned. */
    public static final int PENDING_SEND_SIZE_OFFSET = 12;
    /** u32 feature bits. */
    public static final int FEATURE_BITS_OFFSET = 64;
    /** feature_bits bit 0: the consumer signals pending_send_size crossings. */
    public static final int RING_FEATURE_PENDING_SEND_SIZE = 1;

    /** Size of the packet descriptor (type, offset8, len8, flags, transaction id). */
    public static final int DESCRIPTOR_SIZE = 16;
    public static final int DESCRIPTOR_TYPE_OFFSET = 0;
    public static final int DESCRIPTOR_OFFSET8_OFFSET = 2;
    public static final int DESCRIPTOR_LEN8_OFFSET = 4;
    public static final int DESCRIPTOR_FLAGS_OFFSET = 6;
    public static final int DESCRIPTOR_TRANSACTION_ID_OFFSET = 8;
    /** The u64 after every packet: (packet start offset) << 32. */
    public static final int TRAILER_SIZE = 8;
    /** Packets and indices are multiples of this. */
    public static final int PACKET_ALIGNMENT = 8;
    /** Descriptor flag bit 0: the sender wants a completion packet. */
    public static final int FLAG_COMPLETION_REQUESTED = 1;

    private RingControl() {
    }
}
