package dev.parvis.hv.vp;

import dev.parvis.hv.sched.CpuSharePolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The logical processors: {@code count} platform threads ({@code parvis-lp-N}) that run partitions.
 * An LP picks a runnable partition with {@link CpuSharePolicy}, takes it ({@link PartitionRunner#acquire}:
 * exclusive ownership of a serial partition, one VP of a parallel one), runs one slice on its own
 * thread ({@link PartitionRunner#runSlice}), releases it, charges the time held and picks again. A
 * serial partition is owned by at most one thread at a time (an LP, or a root thread running a
 * command inline), so its VPs never run in parallel; a parallel one may be held by several LPs, one
 * per VP, each slice charged to the same account.
 *
 * <p>The lock is taken only at slice boundaries (pick, release), never per exit. Idle LPs wait on
 * {@link #work}; anything that may make a partition runnable calls {@link #notifyWork()}.
 */
public final class LogicalProcessors implements AutoCloseable {
    /** Each LP charges the CPU time its thread really got in a slice (see CpuSharePolicy#charge). */
    private static final java.lang.management.ThreadMXBean THREAD_CPU = java.lang.management.ManagementFactory.getThreadMXBean();
    private static final Logger LOG = LoggerFactory.getLogger(LogicalProcessors.class);
    private static final long IDLE_RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    final ReentrantLock lock = new ReentrantLock();
    /** Idle LPs wait here. */
    private final Condition work = lock.newCondition();
    /** Threads waiting for a partition to be released (suspend, stop, inline commands). */
    final Condition released = lock.newCondition();
    private final CpuSharePolicy policy;
    /** Told when slices begin and end: it ticks only while one runs. */
    private final VpPreempter preempter;
    /** Started, not yet stopped partitions; guarded by {@link #lock}. */
    private final List<PartitionRunner> runners = new ArrayList<>();
    private final Thread[] threads;
    private volatile boolean closed;
    /** Times an idle LP was woken (not by its timeout) and found nothing it could run; guarded by {@link #lock}. */
    private long emptyWakeups;
    /** LPs waiting for work now; guarded by {@link #lock}. */
    private int idle;
    private final dev.parvis.vmcore.log.LogBudget budget = dev.parvis.vmcore.log.LogBudget.standard();

    public LogicalProcessors(int count, long sliceNanos, VpPreempter preempter) {
        this.policy = new CpuSharePolicy(sliceNanos);
        this.preempter = preempter;
        this.threads = new Thread[count];
        for (int i = 0; i < count; i++) {
            threads[i] = Thread.ofPlatform().name("parvis-lp-" + i).daemon(true).start(this::loop);
        }
    }

    public int count() {
        return threads.length;
    }

    CpuSharePolicy.Account newAccount() {
        lock.lock();
        try {
            return policy.newAccount();
        } finally {
            lock.unlock();
        }
    }

    /** Reads or changes CPU settings under the scheduler's lock. */
    <T> T withPolicy(java.util.function.Function<CpuSharePolicy, T> action) {
        lock.lock();
        try {
            T result = action.apply(policy);
            work.signalAll();
            return result;
        } finally {
            lock.unlock();
        }
    }

    void add(PartitionRunner runner) {
        lock.lock();
        try {
            if (!runners.contains(runner)) {
                runners.add(runner);
            }
            work.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void remove(PartitionRunner runner) {
        lock.lock();
        try {
            runners.remove(runner);
        } finally {
            lock.unlock();
        }
    }

    /**
     * How often an idle LP was woken and found nothing it could run: each is a host context switch
     * spent for nobody (a wake-up's timeout is not counted).
     */
    public long emptyWakeups() {
        lock.lock();
        try {
            return emptyWakeups;
        } finally {
            lock.unlock();
        }
    }

    /** How many LPs wait for work now (none of them holds a partition). */
    public int idleCount() {
        lock.lock();
        try {
            return idle;
        } finally {
            lock.unlock();
        }
    }

    /** Whether some partition (or VP of a parallel one) could be taken by an LP right now. */
    boolean anyPickable() {
        lock.lock();
        try {
            for (int i = 0; i < runners.size(); i++) {
                if (runners.get(i).pickable()) {
                    return true;
                }
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Something may have become runnable: wakes an idle LP. */
    void notifyWork() {
        lock.lock();
        try {
            work.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The LP's life: pick, run a slice, release, again. It serves every partition, so nothing one
     * partition causes may end it: an error escaping a slice fails that partition only, and any other
     * error is logged (rate-limited) and the LP goes on.
     */
    private void loop() {
        List<CpuSharePolicy.Account> accounts = new ArrayList<>();
        List<PartitionRunner> candidates = new ArrayList<>();
        while (!closed) {
            try {
                if (!pickAndRun(accounts, candidates)) {
                    return;
                }
            } catch (Throwable t) {
                budget.error(LOG, "{}: unexpected failure, continuing", Thread.currentThread().getName(), t);
            }
        }
    }

    /** One turn of the LP; false when the LP must end (closed or interrupted). */
    private boolean pickAndRun(List<CpuSharePolicy.Account> accounts, List<PartitionRunner> candidates) {
        Taken taken;
        try {
            taken = take(accounts, candidates);
        } catch (InterruptedException e) {
            return false;
        }
        if (taken == null) {
            return false;
        }
        long cpuStart = THREAD_CPU.getCurrentThreadCpuTime();
        preempter.sliceBegins();
        try {
            taken.runner().runSlice(taken.budgetNanos(), taken.held());
        } catch (Throwable t) {
            taken.runner().fail(t);
        } finally {
            preempter.sliceEnds();
            release(taken.runner(), taken.held(), taken.start(), cpuStart);
        }
        return true;
    }

    /** What an LP took for a slice: the runner, the VP it holds (parallel runners only), when, and for how long. */
    private record Taken(PartitionRunner runner, VirtualProcessor held, long start, long budgetNanos) {
    }

    /**
     * Waits until the policy gives this LP a runnable partition (or VP) and takes it; null once the
     * LPs close. If more is runnable than this LP takes, an idle LP is woken to look too.
     */
    private Taken take(List<CpuSharePolicy.Account> accounts, List<PartitionRunner> candidates) throws InterruptedException {
        boolean woken = false;
        lock.lock();
        try {
            while (!closed) {
                long now = System.nanoTime();
                accounts.clear();
                candidates.clear();
                for (int i = 0; i < runners.size(); i++) {
                    PartitionRunner r = runners.get(i);
                    if (r.pickable()) {
                        candidates.add(r);
                        accounts.add(r.account);
                    }
                }
                CpuSharePolicy.Account a = policy.pick(accounts, now);
                if (a != null) {
                    PartitionRunner chosen = candidates.get(accounts.indexOf(a));
                    Taken taken = new Taken(chosen, chosen.acquire(Thread.currentThread()), now, policy.budget(a, now));
                    if (candidates.size() > 1 || chosen.pickable()) {
                        work.signal();
                    }
                    return taken;
                }
                if (woken) {
                    emptyWakeups++;
                }
                woken = idleWait(candidates.isEmpty() ? IDLE_RECHECK_NANOS : policy.nextPeriodStart(now) - now + 1);
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    /** Waits for work as an idle LP (holding the lock); true when signalled rather than timed out. */
    private boolean idleWait(long nanos) throws InterruptedException {
        idle++;
        try {
            return work.awaitNanos(Math.max(1, nanos)) > 0;
        } finally {
            idle--;
        }
    }

    /**
     * Gives up the partition or VP after a slice, draining commands posted meanwhile first, and charges
     * the time held. Only threads waiting for the release are told: this LP picks again next, and
     * wakes an idle one there if more is runnable than it takes. Waking one here as well cost a guest
     * that halts for I/O a wake-up of an LP that found nothing to run, at every halt (a third of
     * the LP runs while disk-bench read at queue depth 32).
     */
    private void release(PartitionRunner runner, VirtualProcessor held, long start, long cpuStart) {
        while (true) {
            lock.lock();
            try {
                if (runner.release(held)) {
                    policy.charge(runner.account, start, System.nanoTime(), THREAD_CPU.getCurrentThreadCpuTime() - cpuStart);
                    released.signalAll();
                    return;
                }
            } finally {
                lock.unlock();
            }
            runner.drainCommands();
        }
    }

    /** Ends a parallel runner's exclusive ownership; an LP that had a VP of it holds that VP again. */
    void releaseExclusive(PartitionRunner runner, boolean holdAgain) {
        lock.lock();
        try {
            runner.endExclusive(holdAgain);
            released.signalAll();
            work.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Ends an inline (non-LP) ownership. */
    void releaseInline(PartitionRunner runner) {
        lock.lock();
        try {
            runner.owner = null;
            released.signalAll();
            work.signal();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            work.signalAll();
        } finally {
            lock.unlock();
        }
        for (Thread t : threads) {
            if (t != Thread.currentThread()) {
                try {
                    t.join(TimeUnit.SECONDS.toMillis(5));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
