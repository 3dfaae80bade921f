package dev.parvis.hv.sched;

import java.util.List;

/**
 * Who runs next on a free logical processor: pure policy over simulated or real time, no threads
 * and no locks (the caller serialises every call, the LP scheduler under its lock).
 *
 * <ul>
 *   <li><b>Cap</b>: time is accounted in fixed periods ({@link #DEFAULT_PERIOD_NANOS}); a partition
 *       that used {@code cap} of a period is not eligible again before the next period starts, even
 *       when processors are idle. A slice never exceeds the cap still left; an overrun (late kick)
 *       is carried into the next period as debt.</li>
 *   <li><b>Reserve</b>: a partition that has used less than its reserve in the current period is
 *       picked before any partition that has not (least reserve fraction used first).</li>
 *   <li><b>Weight</b>: otherwise the eligible partition with the smallest virtual time runs; virtual
 *       time advances by {@code nanos * 100 / weight}, so contended time is shared in proportion to
 *       weight. A partition that slept does not bank credit: its virtual time is lifted to at most
 *       one slice behind the others when it competes again.</li>
 * </ul>
 *
 * Values are in 1/1000 of a percent of one LP ({@link #FULL} = 100 %).
 */
public final class CpuSharePolicy {
    public static final long DEFAULT_PERIOD_NANOS = 100_000_000L;
    public static final int FULL = 100_000;
    public static final int DEFAULT_WEIGHT = 100;
    public static final int MIN_WEIGHT = 1;
    public static final int MAX_WEIGHT = 10_000;

    private final long periodNanos;
    private final long sliceNanos;
    /** Virtual time of the latest pick: the floor sleepers are lifted towards. */
    private long floor;

    /** One partition's CPU settings and usage. Mutated only through the policy. */
    public static final class Account {
        private int weight = DEFAULT_WEIGHT;
        private int reserve;
        private int cap;
        private long period = Long.MIN_VALUE;
        private long usedInPeriod;
        private long vtime;
        private long totalNanos;

        public int weight() {
            return weight;
        }

        /** In 1/1000 %; 0 = none. */
        public int reserve() {
            return reserve;
        }

        /** In 1/1000 %; 0 = none (100000 is stored as 0). */
        public int cap() {
            return cap;
        }

        public long totalNanos() {
            return totalNanos;
        }
    }

    public CpuSharePolicy(long sliceNanos) {
        this(sliceNanos, DEFAULT_PERIOD_NANOS);
    }

    public CpuSharePolicy(long sliceNanos, long periodNanos) {
        if (sliceNanos <= 0 || periodNanos <= 0) {
            throw new IllegalArgumentException("slice and period must be positive");
        }
        this.sliceNanos = sliceNanos;
        this.periodNanos = periodNanos;
    }

    public long periodNanos() {
        return periodNanos;
    }

    public Account newAccount() {
        Account a = new Account();
        a.vtime = floor;
        return a;
    }

    public static boolean validWeight(long value) {
        return value >= MIN_WEIGHT && value <= MAX_WEIGHT;
    }

    public static boolean validReserve(long value) {
        return value >= 0 && value <= FULL;
    }

    public static boolean validCap(long value) {
        return value >= 0 && value <= FULL;
    }

    public void setWeight(Account a, long value) {
        if (!validWeight(value)) {
            throw new IllegalArgumentException("weight " + value + " outside " + MIN_WEIGHT + ".." + MAX_WEIGHT);
        }
        a.weight = (int) value;
    }

    public void setReserve(Account a, long value) {
        if (!validReserve(value)) {
            throw new IllegalArgumentException("reserve " + value + " outside 0.." + FULL);
        }
        a.reserve = (int) value;
    }

    public void setCap(Account a, long value) {
        if (!validCap(value)) {
            throw new IllegalArgumentException("cap " + value + " outside 0.." + FULL);
        }
        a.cap = value == FULL ? 0 : (int) value;
    }

    private long periodOf(long now) {
        return Math.floorDiv(now, periodNanos);
    }

    private long usedNow(Account a, long now) {
        return usedIn(a, periodOf(now));
    }

    /**
     * Time charged to {@code period}. A capped account that overran its cap in the previous period
     * (a slice ends only when the preempter's kick lands) starts the next one with that overrun as
     * debt, so the long-run average stays at the cap however late slices end.
     */
    private long usedIn(Account a, long period) {
        if (a.period == period) {
            return a.usedInPeriod;
        }
        if (a.period == period - 1 && a.cap != 0) {
            return Math.max(0, a.usedInPeriod - capNanos(a));
        }
        return 0;
    }

    private long capNanos(Account a) {
        return a.cap == 0 ? Long.MAX_VALUE : periodNanos * a.cap / FULL;
    }

    private long reserveNanos(Account a) {
        return periodNanos * a.reserve / FULL;
    }

    /** False while the account has used its whole cap in the current period. */
    public boolean eligible(Account a, long now) {
        return usedNow(a, now) < capNanos(a);
    }

    /** When the current period ends: the earliest time a capped account is eligible again. */
    public long nextPeriodStart(long now) {
        return (periodOf(now) + 1) * periodNanos;
    }

    /** The account to run next among {@code runnable} (none of them running elsewhere), or null if every one is capped. */
    public Account pick(List<Account> runnable, long now) {
        Account best = null;
        double bestReserveFraction = Double.MAX_VALUE;
        for (int i = 0; i < runnable.size(); i++) {
            Account a = runnable.get(i);
            if (!eligible(a, now)) {
                continue;
            }
            long reserve = reserveNanos(a);
            long used = usedNow(a, now);
            if (reserve > 0 && used < reserve) {
                double fraction = (double) used / reserve;
                if (fraction < bestReserveFraction) {
                    bestReserveFraction = fraction;
                    best = a;
                }
            }
        }
        if (best != null) {
            return best;
        }
        long lowest = floor - sliceNanos;
        for (int i = 0; i < runnable.size(); i++) {
            Account a = runnable.get(i);
            if (a.vtime < lowest) {
                a.vtime = lowest;
            }
            if (eligible(a, now) && (best == null || a.vtime < best.vtime)) {
                best = a;
            }
        }
        if (best != null && best.vtime > floor) {
            floor = best.vtime;
        }
        return best;
    }

    /** How long the picked account may run now: one slice, or the cap left in this period if less. */
    public long budget(Account a, long now) {
        long capLeft = capNanos(a) - usedNow(a, now);
        return Math.max(0, Math.min(sliceNanos, capLeft));
    }

    /** Charges the time the account held a processor, from {@code start} to {@code end}, split at period boundaries. */
    public void charge(Account a, long start, long end) {
        charge(a, start, end, end - start);
    }

    /**
     * Charges a slice: the processor was held from {@code start} to {@code end} (what caps and
     * reserves count, per period), and the guest got {@code ranNanos} of it (what weights share out).
     * An LP is a host thread: when the host takes its core away mid-slice, the partition holding it
     * is not charged for time it never ran, so weights hold in the CPU time partitions really get.
     */
    public void charge(Account a, long start, long end, long ranNanos) {
        if (end <= start) {
            return;
        }
        long nanos = Math.max(0, Math.min(ranNanos, end - start));
        a.totalNanos += nanos;
        a.vtime += Math.max(1, nanos * DEFAULT_WEIGHT / a.weight);
        long t = start;
        while (t < end) {
            long p = periodOf(t);
            long boundary = (p + 1) * periodNanos;
            long part = Math.min(end, boundary) - t;
            if (a.period != p) {
                a.usedInPeriod = usedIn(a, p);
                a.period = p;
            }
            a.usedInPeriod += part;
            t += part;
        }
    }
}
