package dev.parvis.vmbus.server;

/**
 * How many guest signals one channel may send beyond its traffic. A guest that follows the ring
 * rules signals at most once per packet it writes (only into an empty ring) and once per space
 * request of ours it satisfies, so every packet either way earns one signal back; on top of that
 * the channel tolerates {@code burst} signals, refilled at {@code perSecond}. A guest that signals
 * in a loop spends the allowance within milliseconds and its channel is closed for a signal flood
 * (Windows hosts likewise treat extra interrupts as abuse). Runs on VP threads: one short lock.
 */
final class SignalBudget {
    private final int burst;
    private final double perNano;
    private double tokens;
    private long lastRefill = System.nanoTime();
    private long spent;

    SignalBudget(int burst, int perSecond) {
        this.burst = burst;
        this.perNano = perSecond / 1e9;
        this.tokens = burst;
    }

    /** One guest signal; false when the allowance is exhausted. */
    synchronized boolean spend() {
        long now = System.nanoTime();
        tokens = Math.min(burst, tokens + (now - lastRefill) * perNano);
        lastRefill = now;
        spent++;
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }

    /** {@code packets} moved through the channel: each pays for one signal. */
    synchronized void earn(long packets) {
        tokens = Math.min(burst, tokens + packets);
    }

    /** Signals seen so far. */
    synchronized long signals() {
        return spent;
    }
}
