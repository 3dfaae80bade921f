package dev.parvis.vmbus.server;

import java.time.Duration;

/**
 * Limits of one VMBus server connection. Every buffer and queue the server keeps for a child is
 * bounded by one of these host-chosen values, never by a number the guest wrote.
 *
 * @param vpCount           VPs of the child, at most {@link VmbusStateCodec#MAX_VPS} (a save must be able to
 *                          name each); target_vcpu and target_vp must name one
 * @param maxGpadls         GPADLs (created or being assembled) one connection may hold
 * @param maxPendingGpadls  GPADLs being assembled (header seen, bodies missing) at once
 * @param sendTimeout       how long a device's send waits for ring space before reporting RING_FULL
 * @param logBurst          guest-error log lines allowed in a burst before rate limiting
 * @param logPerSecond      guest-error log lines allowed per second after the burst
 * @param limits            queue, buffer and per-turn budgets (see {@link Limits})
 */
public record ServerConfig(int vpCount, int maxGpadls, int maxPendingGpadls, Duration sendTimeout, int logBurst,
                           int logPerSecond, Limits limits) {
    public ServerConfig {
        if (vpCount < 1 || maxGpadls < 1 || maxPendingGpadls < 1 || logBurst < 1 || logPerSecond < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
        if (vpCount > VmbusStateCodec.MAX_VPS) {
            throw new IllegalArgumentException("vpCount %d is more than the %d VPs a saved VMBus state can name"
                    .formatted(vpCount, VmbusStateCodec.MAX_VPS));
        }
        if (sendTimeout.isNegative()) {
            throw new IllegalArgumentException("negative send timeout");
        }
    }

    public ServerConfig(int vpCount, int maxGpadls, int maxPendingGpadls, Duration sendTimeout, int logBurst,
                        int logPerSecond) {
        this(vpCount, maxGpadls, maxPendingGpadls, sendTimeout, logBurst, logPerSecond, Limits.DEFAULTS);
    }

    public static ServerConfig defaults(int vpCount) {
        return new ServerConfig(vpCount, 256, 16, Duration.ofSeconds(5), 100, 10, Limits.DEFAULTS);
    }

    public ServerConfig withSendTimeout(Duration timeout) {
        return new ServerConfig(vpCount, maxGpadls, maxPendingGpadls, timeout, logBurst, logPerSecond, limits);
    }

    public ServerConfig withLimits(Limits newLimits) {
        return new ServerConfig(vpCount, maxGpadls, maxPendingGpadls, sendTimeout, logBurst, logPerSecond, newLimits);
    }

    /**
     * Per-child bounds on the server's queues and buffers, and the budget of one channel turn.
     *
     * @param maxPendingMessages  control messages held for the guest while its SynIC queue is full
     * @param maxDeferredMessages guest control messages held while answers wait to be delivered; one
     *                            more and the connection fails (the guest ignores its answers)
     * @param maxReceiveBytes     receive-buffer bytes all open channels of the child may hold together
     * @param turnPackets         packets one channel turn handles before it yields to other channels
     * @param turnBytes           payload bytes one channel turn handles before it yields
     * @param signalBurst         guest signals a channel tolerates beyond its traffic before it is
     *                            closed for a signal flood; refilled at {@code signalPerSecond}
     * @param signalPerSecond     refill rate of that allowance
     * @param turnPollNanos       how long a turn that has caught up with the guest's ring looks for the
     *                            guest's next packet before it ends ({@link ArrivalPoll}); 0 never
     * @param turnSliceNanos      how long a turn goes on with fresh budgets on its thread while no
     *                            other channel's turn waits for one ({@link ChannelTurns}); 0 never
     * @param signalBatch         the most answers a turn writes before it sends the guest the signal
     *                            they owe, rather than when it catches up ({@link OutboundRing})
     */
    public record Limits(int maxPendingMessages, int maxDeferredMessages, long maxReceiveBytes, int turnPackets,
                         long turnBytes, int signalBurst, int signalPerSecond, long turnPollNanos,
                         long turnSliceNanos, int signalBatch) {
        /**
         * signalBatch 16: a Java storvsc keeping 32 reads in flight did 415k reads/s with the signal sent
         * only as the turn caught up, 504k-534k with it sent after 16 answers (8: 503k-508k; 24: 450k).
         */
        public static final Limits DEFAULTS = new Limits(1024, 1024, 4L << 20, 64, 256L << 10, 20_000, 2_000,
                ArrivalPoll.DEFAULT_WINDOW_NANOS, ChannelTurns.DEFAULT_SLICE_NANOS, 16);

        public Limits {
            if (maxPendingMessages < 1 || maxDeferredMessages < 1 || maxReceiveBytes < 1 || turnPackets < 1
                    || turnBytes < 1 || signalBurst < 1 || signalPerSecond < 1 || signalBatch < 1) {
                throw new IllegalArgumentException("limits must be positive");
            }
            if (turnPollNanos < 0 || turnPollNanos > ArrivalPoll.MAX_WINDOW_NANOS || turnSliceNanos < 0) {
                throw new IllegalArgumentException("turn poll of " + turnPollNanos + " ns, slice of " + turnSliceNanos);
            }
        }

        public Limits withTurn(int packets, long bytes) {
            return new Limits(maxPendingMessages, maxDeferredMessages, maxReceiveBytes, packets, bytes, signalBurst,
                    signalPerSecond, turnPollNanos, turnSliceNanos, signalBatch);
        }

        public Limits withQueues(int pending, int deferred) {
            return new Limits(pending, deferred, maxReceiveBytes, turnPackets, turnBytes, signalBurst, signalPerSecond,
                    turnPollNanos, turnSliceNanos, signalBatch);
        }

        public Limits withReceiveBytes(long bytes) {
            return new Limits(maxPendingMessages, maxDeferredMessages, bytes, turnPackets, turnBytes, signalBurst,
                    signalPerSecond, turnPollNanos, turnSliceNanos, signalBatch);
        }

        public Limits withSignals(int burst, int perSecond) {
            return new Limits(maxPendingMessages, maxDeferredMessages, maxReceiveBytes, turnPackets, turnBytes, burst,
                    perSecond, turnPollNanos, turnSliceNanos, signalBatch);
        }

        public Limits withTurnPoll(long nanos) {
            return new Limits(maxPendingMessages, maxDeferredMessages, maxReceiveBytes, turnPackets, turnBytes,
                    signalBurst, signalPerSecond, nanos, turnSliceNanos, signalBatch);
        }

        public Limits withTurnSlice(long nanos) {
            return new Limits(maxPendingMessages, maxDeferredMessages, maxReceiveBytes, turnPackets, turnBytes,
                    signalBurst, signalPerSecond, turnPollNanos, nanos, signalBatch);
        }

        public Limits withSignalBatch(int answers) {
            return new Limits(maxPendingMessages, maxDeferredMessages, maxReceiveBytes, turnPackets, turnBytes,
                    signalBurst, signalPerSecond, turnPollNanos, turnSliceNanos, answers);
        }
    }
}
