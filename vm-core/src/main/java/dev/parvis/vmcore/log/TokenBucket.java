package dev.parvis.vmcore.log;

import java.util.function.LongSupplier;

/**
 * A token bucket: holds up to {@code capacity} tokens, refilled at {@code perSecond}; a taker gets
 * what it asks for only when that many tokens are there. The shape of every budget a guest spends
 * from (log lines, debug output bytes). Thread-safe.
 */
public final class TokenBucket {
    private final double capacity;
    private final double tokensPerNano;
    private final LongSupplier clock;
    private double tokens;
    private long lastRefill;

    public TokenBucket(double capacity, double perSecond) {
        this(capacity, perSecond, System::nanoTime);
    }

    /** With an explicit nanosecond clock, for tests. */
    public TokenBucket(double capacity, double perSecond, LongSupplier clock) {
        if (!(capacity >= 1) || !(perSecond > 0)) {
            throw new IllegalArgumentException("capacity %f, rate %f".formatted(capacity, perSecond));
        }
        this.capacity = capacity;
        this.tokensPerNano = perSecond / 1e9;
        this.clock = clock;
        this.tokens = capacity;
        this.lastRefill = clock.getAsLong();
    }

    /** Takes {@code amount} tokens if they are there; false (nothing taken) otherwise. */
    public synchronized boolean tryTake(double amount) {
        long now = clock.getAsLong();
        tokens = Math.min(capacity, tokens + (now - lastRefill) * tokensPerNano);
        lastRefill = now;
        if (tokens < amount) {
            return false;
        }
        tokens -= amount;
        return true;
    }
}
