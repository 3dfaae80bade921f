package dev.parvis.vmbus.ring;

/**
 * The other side broke the ring: an index or a packet descriptor in shared memory is invalid. The
 * ring is dead afterwards; the owner closes the channel (docs/vmbus.md, "Hostile input").
 */
public final class RingCorruptException extends Exception {
    /** What was wrong. */
    public enum Reason {
        /** write_index or read_index is not below the data size. */
        INDEX_OUT_OF_RANGE,
        /** write_index or read_index is not a multiple of 8. */
        INDEX_MISALIGNED,
        /** The readable bytes cannot hold a descriptor and a trailer, or len8 * 8 + 8 exceeds them. */
        PACKET_BEYOND_DATA,
        /** len8 * 8 is smaller than the 16-byte descriptor. */
        PACKET_TOO_SHORT,
        /** offset8 * 8 is smaller than the descriptor or larger than len8 * 8. */
        BAD_DATA_OFFSET,
        /** The packet does not fit the caller's buffer. */
        PACKET_EXCEEDS_BUFFER,
    }

    private final Reason reason;
    private final long value;

    public RingCorruptException(Reason reason, long value, String detail) {
        super(reason + ": " + detail);
        this.reason = reason;
        this.value = value;
    }

    public Reason reason() {
        return reason;
    }

    /** The offending value (an index, a length in bytes or an offset in bytes). */
    public long value() {
        return value;
    }
}
