package dev.parvis.vmbus.server;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The turns of one channel's data path on a shared executor. A turn does a bounded amount of work
 * and says whether more is waiting; then it ends, and if more is waiting (or a signal came in while
 * it ran) the next turn is queued behind every other channel's. So however hostile a ring is, one
 * channel holds a thread for one budget at a time and never a core for longer.
 *
 * <p>{@link #request} is lock-free and never blocks (it runs on VP threads); turns of one channel
 * never overlap, which makes the turn the single owner of the channel's inbound ring.
 */
final class ChannelTurns {
    /** A virtual thread per turn: turns may block (a device's send waiting for ring space). */
    static final Executor VIRTUAL = turn -> Thread.ofVirtual().name("vmbus-channel-turn").start(turn);

    /** What a turn found when it stopped. */
    enum Outcome {
        /** Nothing left to do until the next request. */
        CAUGHT_UP,
        /** The budget ran out with work left: queue another turn. */
        MORE,
        /** The channel ended: no turn will run again. */
        ENDED
    }

    private static final int IDLE = 0;
    private static final int SCHEDULED = 1;
    private static final int RUNNING = 2;
    private static final int RERUN = 3;
    private static final int ENDED = 4;
    private static final long QUIET_POLL_NANOS = 50_000;
    /**
     * How long a turn keeps its thread across budgets while no other turn waits for one, by default:
     * short enough that other virtual threads (which the count below does not see) wait at most this
     * long for a carrier behind busy channels, long enough that the hand-off (tens of microseconds)
     * costs a few percent.
     */
    static final long DEFAULT_SLICE_NANOS = 500_000;
    /**
     * Turns queued and not yet running, of every channel in this JVM: they all share the virtual
     * thread scheduler's carriers, so any of them waiting means a busy turn must yield.
     */
    private static final AtomicInteger WAITING = new AtomicInteger();

    private final AtomicInteger state = new AtomicInteger(IDLE);
    private final Executor executor;
    private final java.util.function.Supplier<Outcome> body;
    private final long sliceNanos;
    private long count;

    ChannelTurns(Executor executor, java.util.function.Supplier<Outcome> body, long sliceNanos) {
        this.executor = executor;
        this.body = body;
        this.sliceNanos = sliceNanos;
    }

    /** Something changed (a signal, a close): make sure a turn looks at it. Any thread; never blocks. */
    void request() {
        while (true) {
            int s = state.get();
            if (s == IDLE) {
                if (state.compareAndSet(IDLE, SCHEDULED)) {
                    submit();
                    return;
                }
            } else if (s == RUNNING) {
                if (state.compareAndSet(RUNNING, RERUN)) {
                    return;
                }
            } else {
                return; // SCHEDULED or RERUN: a turn will look; ENDED: nobody will
            }
        }
    }

    /**
     * Waits until no turn runs or is queued (a paused channel's queued turns end at once); false when
     * one still runs after {@code timeoutNanos}, or as soon as {@code giveUp} says so.
     */
    boolean awaitQuiet(long timeoutNanos, java.util.function.BooleanSupplier giveUp) {
        long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            int s = state.get();
            if (s == IDLE || s == ENDED) {
                return true;
            }
            if (giveUp.getAsBoolean() || System.nanoTime() - deadline > 0) {
                return false;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(QUIET_POLL_NANOS);
        }
    }

    /** Whether some channel's turn is queued for a thread (a turn waiting on its own for packets stops). */
    static boolean othersWaiting() {
        return WAITING.get() > 0;
    }

    /** Turns run so far, each budget counted as one (tests use it to see that a busy channel yields). */
    synchronized long count() {
        return count;
    }

    private void submit() {
        WAITING.incrementAndGet();
        try {
            executor.execute(this::run);
        } catch (RuntimeException | Error e) {
            WAITING.decrementAndGet();
            state.set(IDLE); // the next request tries again
            throw e;
        }
    }

    private void run() {
        WAITING.decrementAndGet();
        state.set(RUNNING);
        long start = System.nanoTime();
        Outcome outcome;
        do {
            synchronized (this) {
                count++;
            }
            outcome = body.get();
        } while (outcome == Outcome.MORE && !othersWaiting() && System.nanoTime() - start < sliceNanos);
        switch (outcome) {
            case ENDED -> state.set(ENDED);
            case MORE -> {
                state.set(SCHEDULED);
                submit();
            }
            case CAUGHT_UP -> {
                if (!state.compareAndSet(RUNNING, IDLE)) {
                    state.set(SCHEDULED); // a request came in during the turn
                    submit();
                }
            }
        }
    }
}
