package dev.parvis.vmbus.server;

import dev.parvis.vmbus.ring.RingCorruptException;
import dev.parvis.vmbus.ring.RingReader;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

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
 *
 * <p>A poll spends host CPU the guest's processor share does not pay for, so it is earned: a turn
 * looks no longer than it has worked (handled the guest's packets) since it last looked, at most one
 * window. A guest that sends one small packet just inside every window therefore cannot keep a host
 * core spinning for it: its turns work a few microseconds and look as long, and then it must signal
 * (spending its signal budget) like any guest whose turn ended. A guest whose turn works for a batch
 * of requests earns a whole window; a storvsc at queue depth 32 spent about a third of its turn's
 * time polling ({@code ./parvis bench storage}, JFR samples), well inside what it earned.
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
    private final LongSupplier clock;
    private boolean enabled;
    /** When the last turn gave up on the guest (the turn's thread only). */
    private long gaveUpAt = Long.MIN_VALUE;
    /** When the turn last began working: its start, or a poll that found a packet (the turn's thread only). */
    private long workingSince;
    /** Polling earned by work and not yet spent, at most one window (the turn's thread only). */
    private long earned;

    /** A poll of {@code windowNanos} per caught-up turn; 0 never polls. */
    ArrivalPoll(long windowNanos) {
        this(windowNanos, System::nanoTime);
    }

    /** As above, on {@code clock} (nanoseconds; tests give a clock of their own). */
    ArrivalPoll(long windowNanos, LongSupplier clock) {
        this.windowNanos = windowNanos;
        this.clock = clock;
        this.enabled = windowNanos > 0;
        this.workingSince = clock.getAsLong();
    }

    /** A turn starts: polling resumes if the guest came back within a window of the last turn ending. */
    void turnStarted() {
        long now = clock.getAsLong();
        workingSince = now;
        if (!enabled && windowNanos > 0 && now - gaveUpAt < windowNanos) {
            enabled = true;
        }
    }

    /**
     * Waits for a packet past {@code reader}'s position, up to the window and no longer than the turn
     * has worked since it last looked; true when one came. False at once when polling is off for the
     * channel, {@code stop} holds, or another turn waits.
     *
     * @throws RingCorruptException the guest wrote an invalid write_index
     */
    boolean awaitPacket(RingReader reader, BooleanSupplier stop) throws RingCorruptException {
        long start = clock.getAsLong();
        earned = Math.min(windowNanos, earned + Math.max(0, start - workingSince));
        long spent = 0;
        while (enabled && spent <= earned && !stop.getAsBoolean() && !ChannelTurns.othersWaiting()) {
            for (int i = 0; i < CHECKS_PER_CLOCK; i++) {
                if (reader.hasData()) {
                    long now = clock.getAsLong();
                    earned -= Math.min(earned, now - start);
                    workingSince = now;
                    return true;
                }
                Thread.onSpinWait();
            }
            spent = clock.getAsLong() - start;
            if (spent > windowNanos) {
                enabled = false;
            }
        }
        earned -= Math.min(earned, spent);
        gaveUpAt = clock.getAsLong();
        workingSince = gaveUpAt;
        return false;
    }

    /** Whether a caught-up turn polls now (tests). */
    boolean enabled() {
        return enabled;
    }
}
