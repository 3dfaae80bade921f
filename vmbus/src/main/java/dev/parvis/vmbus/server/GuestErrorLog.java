package dev.parvis.vmbus.server;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Rate-limited reporting of guest-caused errors: a token bucket of {@code burst} lines refilled at
 * {@code perSecond}; suppressed lines are counted and announced with the next line that passes.
 * Thread-safe (channel workers report too).
 */
final class GuestErrorLog {
    private final ServerEffects effects;
    private final String prefix;
    private final int burst;
    private final long nanosPerToken;
    private final AtomicLong total = new AtomicLong();
    private double tokens;
    private long lastRefill = System.nanoTime();
    private long suppressed;

    GuestErrorLog(ServerEffects effects, String prefix, int burst, int perSecond) {
        this.effects = effects;
        this.prefix = prefix;
        this.burst = burst;
        this.nanosPerToken = 1_000_000_000L / perSecond;
        this.tokens = burst;
    }

    void report(String what) {
        total.incrementAndGet();
        String line;
        synchronized (this) {
            long now = System.nanoTime();
            tokens = Math.min(burst, tokens + (double) (now - lastRefill) / nanosPerToken);
            lastRefill = now;
            if (tokens < 1) {
                suppressed++;
                return;
            }
            tokens -= 1;
            line = suppressed == 0 ? prefix + what : prefix + what + " (" + suppressed + " similar lines suppressed)";
            suppressed = 0;
        }
        effects.log(line);
    }

    long total() {
        return total.get();
    }
}
