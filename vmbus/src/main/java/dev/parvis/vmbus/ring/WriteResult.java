package dev.parvis.vmbus.ring;

/** The outcome of {@link RingWriter#write}. */
public enum WriteResult {
    /** Written; the consumer need not be signalled. */
    WRITTEN,
    /** Written into an empty ring whose consumer has interrupts unmasked: signal it (section 7.5). */
    WRITTEN_SIGNAL,
    /** Not enough free space (free must be strictly greater than the packet); nothing written. */
    FULL,
}
