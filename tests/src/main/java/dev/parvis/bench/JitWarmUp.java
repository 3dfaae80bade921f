package dev.parvis.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * Warm-up rounds that last until the JIT has settled, not a fixed count: on a two-core machine the
 * compiler threads take a core from the path being measured, and a path that spins (a polling
 * storvsc, a channel turn looking for the next request) loses far more than that core while they
 * run. The storage bench's first repetitions after three warm-up rounds ran at a third to a half of
 * the later ones while the JIT's compile time still grew by tens of milliseconds a round. A round is
 * warm-up while the compile time grew by more than {@link #SETTLED_MILLIS} during the round before
 * it, between {@code minRounds} and {@code maxRounds} rounds (a JVM that cannot report compile time
 * gets {@code minRounds}).
 */
final class JitWarmUp {
    /** Compile time one round may add and still count as settled (later rounds add 0-5 ms here). */
    static final long SETTLED_MILLIS = 2;

    private final int minRounds;
    private final int maxRounds;
    private final CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    private int rounds;
    private long compiledBefore = -1;
    private boolean settled;

    JitWarmUp(int minRounds, int maxRounds) {
        if (minRounds < 0 || maxRounds < minRounds) {
            throw new IllegalArgumentException("warm-up of " + minRounds + " to " + maxRounds + " rounds");
        }
        this.minRounds = minRounds;
        this.maxRounds = maxRounds;
    }

    /** Whether the next round is one more warm-up round; call once before each round. */
    boolean another() {
        long compiled = compileMillis();
        boolean quiet = compiledBefore >= 0 && compiled >= 0 && compiled - compiledBefore <= SETTLED_MILLIS;
        compiledBefore = compiled;
        if (rounds >= minRounds && (quiet || compiled < 0 || rounds >= maxRounds)) {
            settled = quiet;
            return false;
        }
        rounds++;
        return true;
    }

    /** Warm-up rounds run so far. */
    int rounds() {
        return rounds;
    }

    /** "N warm-up rounds (JIT settled)" or "(JIT still compiling)" for a context line. */
    String describe() {
        return rounds + " warm-up rounds (" + (settled ? "JIT settled" : "JIT still compiling at the cap") + ")";
    }

    private long compileMillis() {
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
    }
}
