package dev.parvis.vmbus.server;

import dev.parvis.vmbus.ring.RingCorruptException;
import dev.parvis.vmbus.ring.RingReader;
import java.util.function.BooleanSupplier;

/**
 * A turn that has caught up with the guest's ring looks for the guest's next packet a little longer
 * before it ends, as KVM polls a halted vCPU before it sleeps. A guest keeping requests in flight
 * answers its completions and sends the next requests within microseconds; ending the turn and
 * starting another for them costs the guest a signal and the host a thread wake-up each time, and
 * leaves the guest's processor and ours taking turns instead of working at once.
 *
 * <p>Only a turn that answered requests itself polls (the channel decides): when a device answers
 * from its own threads (storvsp's file I/O), the guest's next requests wait on those, and a poll
 * would take a core from them.
 *
 * <p>The poll keeps interrupt_mask set (the guest need not signal a turn that is looking) and the
 * caller clears it and looks once more after a poll that found nothing, so no packet is missed
 * (Linux's hv_end_read rule). It stops at once when another channel's turn waits for a thread or
 * the channel closes or pauses. Adaptive: a poll that waited its whole window in vain turns polling
 * off for the channel, and it comes back on when a turn starts within a window of the last one
 * ending (the poll would have found that packet), so an idle channel costs one window, not one per
 * request.
 */
final class ArrivalPoll {
    /**
     * How long a caught-up turn looks for the next packet by default: a Java storvsc at queue depth 32
     * on two cores took 15 us on average from the turn's signal to its next request (the wake-up, then
     * reaping the completions), the poll found it in all but a few hundredths of the cases.
     */
    static final long DEFAULT_WINDOW_NANOS = 50_000;
    /** The longest window a configuration may ask for (a sanity bound: a turn holds its thread this long idle). */
    static final long MAX_WINDOW_NANOS = 10_000_000_000L;
    /** Ring checks between reads of the clock (a check is one load of write_index). */
    private static final int CHECKS_PER_CLOCK = 32;

    private final long windowNanos;
    private boolean enabled;
    /** When the last turn gave up on the guest (the turn's thread only). */
    private long gaveUpAt = Long.MIN_VALUE;

    /** A poll of {@code windowNanos} per caught-up turn; 0 never polls. */
    ArrivalPoll(long windowNanos) {
        this.windowNanos = windowNanos;
        this.enabled = windowNanos > 0;
    }

    /** A turn starts: polling resumes if the guest came back within a window of the last turn ending. */
    void turnStarted() {
        if (!enabled && windowNanos > 0 && System.nanoTime() - gaveUpAt < windowNanos) {
            enabled = true;
        }
    }

    /**
     * Waits up to the window for a packet past {@code reader}'s position; true when one came.
     * False at once when polling is off for the channel, {@code stop} holds, or another turn waits.
     *
     * @throws RingCorruptException the guest wrote an invalid write_index
     */
    boolean awaitPacket(RingReader reader, BooleanSupplier stop) throws RingCorruptException {
        long start = System.nanoTime();
        while (enabled && !stop.getAsBoolean() && !ChannelTurns.othersWaiting()) {
            for (int i = 0; i < CHECKS_PER_CLOCK; i++) {
                if (reader.hasData()) {
                    return true;
                }
                Thread.onSpinWait();
            }
            if (System.nanoTime() - start > windowNanos) {
                enabled = false;
            }
        }
        gaveUpAt = System.nanoTime();
        return false;
    }

    /** Whether a caught-up turn polls now (tests). */
    boolean enabled() {
        return enabled;
    }
}
