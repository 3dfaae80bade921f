package dev.parvis.vmbus.server;

import dev.parvis.vmcore.log.LogBudget;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Guest-caused errors of one connection: every one is counted, and lines reach the log through one
 * {@link LogBudget} per connection (so one child's flood spends only its own lines); suppressed
 * lines are announced with the next line that passes. Thread-safe (channel turns report too).
 */
final class GuestErrorLog {
    private final ServerEffects effects;
    private final String prefix;
    private final LogBudget budget;
    private final AtomicLong total = new AtomicLong();

    GuestErrorLog(ServerEffects effects, String prefix, int burst, int perSecond) {
        this.effects = effects;
        this.prefix = prefix;
        this.budget = new LogBudget(burst, perSecond);
    }

    void report(String what) {
        total.incrementAndGet();
        long suppressed = budget.acquire();
        if (suppressed < 0) {
            return;
        }
        effects.log(suppressed == 0 ? prefix + what : prefix + what + " (" + suppressed + " similar lines suppressed)");
    }

    long total() {
        return total.get();
    }
}
