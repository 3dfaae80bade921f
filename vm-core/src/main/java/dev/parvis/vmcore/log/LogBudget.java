package dev.parvis.vmcore.log;

import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * A token bucket for log lines one source (a guest, a channel) can cause: up to {@code burst} lines at
 * once, refilled at {@code perSecond}. Lines over the budget are dropped and counted; the next line that
 * passes says how many were suppressed, so nothing is lost silently.
 *
 * <p>Thread-safe; a line costs one short lock, and a dropped line formats nothing.
 */
public final class LogBudget {
    /** The budget sites use unless they have a reason to differ: 10 lines at once, then 1 per second. */
    public static final int DEFAULT_BURST = 10;
    public static final double DEFAULT_PER_SECOND = 1.0;

    private final TokenBucket lines;
    private long suppressed;

    public LogBudget(int burst, double perSecond) {
        this(burst, perSecond, System::nanoTime);
    }

    /** With an explicit nanosecond clock, for tests. */
    public LogBudget(int burst, double perSecond, LongSupplier clock) {
        if (burst < 1 || !(perSecond > 0)) {
            throw new IllegalArgumentException("burst %d, rate %f".formatted(burst, perSecond));
        }
        this.lines = new TokenBucket(burst, perSecond, clock);
    }

    public static LogBudget standard() {
        return new LogBudget(DEFAULT_BURST, DEFAULT_PER_SECOND);
    }

    /**
     * Takes one line from the budget. Returns -1 if the line must be dropped, else how many lines were
     * suppressed since the last line that passed (and resets that count).
     */
    public synchronized long acquire() {
        if (!lines.tryTake(1)) {
            suppressed++;
            return -1;
        }
        long s = suppressed;
        suppressed = 0;
        return s;
    }

    /** Lines dropped since the last one that passed. */
    public synchronized long suppressed() {
        return suppressed;
    }

    public void warn(Logger log, String format, Object... args) {
        log(log, Level.WARN, format, args);
    }

    public void info(Logger log, String format, Object... args) {
        log(log, Level.INFO, format, args);
    }

    public void error(Logger log, String format, Object... args) {
        log(log, Level.ERROR, format, args);
    }

    /**
     * Logs one line if the budget allows. A trailing Throwable argument is logged with the line, as
     * SLF4J does, but only its message, never a stack trace: a guest that can trigger an exception at
     * will must not be able to make the host write a trace per attempt.
     */
    public void log(Logger log, Level level, String format, Object... args) {
        if (!log.isEnabledForLevel(level)) {
            return;
        }
        long dropped = acquire();
        if (dropped < 0) {
            return;
        }
        Object[] a = args.clone();
        if (a.length > 0 && a[a.length - 1] instanceof Throwable t) {
            a[a.length - 1] = t.toString();
            if (!format.contains("{}") || countPlaceholders(format) < a.length) {
                format = format + ": {}";
            }
        }
        String line = dropped == 0 ? format : format + " ({} similar lines suppressed)";
        Object[] all = dropped == 0 ? a : append(a, dropped);
        log.atLevel(level).log(line, all);
    }

    private static int countPlaceholders(String format) {
        int n = 0;
        for (int i = format.indexOf("{}"); i >= 0; i = format.indexOf("{}", i + 2)) {
            n++;
        }
        return n;
    }

    private static Object[] append(Object[] a, Object last) {
        Object[] b = java.util.Arrays.copyOf(a, a.length + 1);
        b[a.length] = last;
        return b;
    }
}
