package dev.parvis.hv.vp;

import dev.parvis.hv.backend.VpExit;
import dev.parvis.hv.memory.GpaMap;
import dev.parvis.hv.partition.Partition;
import dev.parvis.hv.partition.PartitionState;
import dev.parvis.hv.sched.CpuSharePolicy;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A partition as the LP scheduler sees it. The partition owns no thread: a logical processor
 * ({@link LogicalProcessors}) takes exclusive ownership ({@link #owner}) and runs one slice of it;
 * unicorn's guest atomics are not atomic across engines, so a partition's VPs never run in
 * parallel, while different partitions run on different LPs at once.
 *
 * <p>Other threads never touch a VP's engine while it may run. {@link #execute} runs an action on the
 * owner: inline when the caller already owns the partition, or when no LP holds it (the caller then
 * owns it for the duration, so no LP picks it concurrently); otherwise it queues a command, kicks the
 * VPs and waits, and the owning LP runs it before it releases the partition.
 *
 * <p>VP flags (halted, suspended, ...) are written under {@link #lock} and read lock-free (volatile)
 * by the slice loop, so an exit handled inside a slice costs no lock.
 */
public final class PartitionRunner {
    /** The LP thread's own CPU clock, for the partition's CPU time (once per slice, not per exit). */
    private static final java.lang.management.ThreadMXBean THREAD_CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    private static final Logger LOG = LoggerFactory.getLogger(PartitionRunner.class);
    private static final long COMMAND_TIMEOUT_SECONDS = 30;

    private final ReentrantLock lock = new ReentrantLock();
    private final dev.parvis.vmcore.log.LogBudget budget = dev.parvis.vmcore.log.LogBudget.standard();
    final ConcurrentLinkedQueue<FutureTask<?>> commands = new ConcurrentLinkedQueue<>();
    private final VpPreempter preempter;
    private final LogicalProcessors lps;
    final CpuSharePolicy.Account account;
    /** The thread that owns the partition (an LP, or a thread running a command inline); guarded by the LPs' lock for writes. */
    volatile Thread owner;
    /** True while {@link #owner} is an LP (it drains commands); written under the LPs' lock at slice boundaries. */
    volatile boolean ownerIsLp;
    private ExitHandler exitHandler;
    private Partition partition;
    private volatile boolean started;
    private volatile boolean stopping;
    private int nextVp;

    public PartitionRunner(VpPreempter preempter, LogicalProcessors lps) {
        this.preempter = preempter;
        this.lps = lps;
        this.account = lps.newAccount();
    }

    /** Completes construction; the partition and runner refer to each other. */
    public void attach(Partition partition, ExitHandler exitHandler) {
        this.partition = partition;
        this.exitHandler = exitHandler;
    }

    /** True while an LP holds the partition (its VPs may be running). */
    public boolean heldByLp() {
        return ownerIsLp;
    }

    public boolean isRunning() {
        return started && !stopping;
    }

    /** Makes the partition schedulable (FinalizePartition). */
    public void start() {
        if (stopping) {
            return;
        }
        started = true;
        lps.add(this);
    }

    /** Takes the partition off the LPs; returns once no LP holds it. */
    public void stop() {
        stopping = true;
        lps.remove(this);
        kickAll();
        awaitReleased();
        drainCommands();
    }

    /**
     * SUSPEND: while set, no VP of the partition runs. Setting it returns only once no LP is running
     * the partition (unless the caller is that LP itself, which ends its slice after this exit).
     */
    public void setSuspended(boolean value) {
        partition.setSuspended(value);
        if (value) {
            kickAll();
            awaitReleased();
        } else {
            lps.notifyWork();
        }
    }

    private void awaitReleased() {
        if (owner == Thread.currentThread()) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(COMMAND_TIMEOUT_SECONDS);
        lps.lock.lock();
        try {
            while (owner != null && ownerIsLp) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    budget.error(LOG, "{}: still running on an LP after {} s", partition, COMMAND_TIMEOUT_SECONDS);
                    return;
                }
                lps.released.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(1)));
                if (owner != null && ownerIsLp) {
                    kickAll();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lps.lock.unlock();
        }
    }

    /** CPU_WEIGHT, CPU_RESERVE and CPU_CAP; each validated by the policy (IllegalArgumentException). */
    public void setWeight(long value) {
        lps.withPolicy(p -> {
            p.setWeight(account, value);
            return null;
        });
    }

    public void setReserve(long value) {
        lps.withPolicy(p -> {
            p.setReserve(account, value);
            return null;
        });
    }

    public void setCap(long value) {
        lps.withPolicy(p -> {
            p.setCap(account, value);
            return null;
        });
    }

    public int weight() {
        return lps.withPolicy(p -> account.weight());
    }

    public int reserve() {
        return lps.withPolicy(p -> account.reserve());
    }

    public int cap() {
        return lps.withPolicy(p -> account.cap());
    }

    /** Runs {@code action} where it may touch VP engines, and returns its result. */
    public <T> T execute(Callable<T> action) {
        Thread me = Thread.currentThread();
        if (owner == me) {
            return call(action);
        }
        FutureTask<T> task = null;
        lps.lock.lock();
        try {
            while (true) {
                if (owner == null) {
                    owner = me;
                    ownerIsLp = false;
                    break;
                }
                if (ownerIsLp) {
                    task = new FutureTask<>(action);
                    commands.add(task);
                    break;
                }
                lps.released.await(); // another thread runs a command inline
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(partition + ": interrupted", e);
        } finally {
            lps.lock.unlock();
        }
        if (task == null) {
            try {
                return call(action);
            } finally {
                lps.releaseInline(this);
            }
        }
        kickAll();
        try {
            return task.get(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException(partition + ": command not executed", e);
        }
    }

    private static <T> T call(Callable<T> action) {
        try {
            return action.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public void wake(VirtualProcessor vp) {
        boolean woke;
        lock.lock();
        try {
            vp.wakePending = true;
            woke = vp.halted;
            vp.halted = false;
        } finally {
            lock.unlock();
        }
        if (woke && started) {
            lps.notifyWork();
        }
    }

    public void setInterceptSuspend(VirtualProcessor vp, boolean value) {
        setFlags(vp, () -> vp.interceptSuspend = value);
    }

    public void setExplicitSuspend(VirtualProcessor vp, boolean value) {
        setFlags(vp, () -> vp.explicitSuspend = value);
    }

    /** Makes a new VP known to the scheduler; it runs once the partition runs. */
    public void adopt(VirtualProcessor vp) {
        preempter.register(vp);
        if (started) {
            lps.notifyWork();
        }
    }

    /** Marks a VP deleted so it never runs again, and stops preempting it. */
    public void retire(VirtualProcessor vp) {
        setFlags(vp, () -> vp.deleted = true);
        preempter.unregister(vp);
    }

    <T> T withLock(Supplier<T> read) {
        lock.lock();
        try {
            return read.get();
        } finally {
            lock.unlock();
        }
    }

    /** The VP executed HLT: it sleeps unless SynIC work arrived since its last wake-up. */
    void halt(VirtualProcessor vp) {
        vp.synic().flushAll();
        lock.lock();
        try {
            if (vp.wakePending) {
                vp.wakePending = false;
            } else {
                vp.halted = true;
            }
        } finally {
            lock.unlock();
        }
    }

    private void setFlags(VirtualProcessor vp, Runnable change) {
        lock.lock();
        try {
            change.run();
        } finally {
            lock.unlock();
        }
        vp.engine().kick();
        if (started) {
            lps.notifyWork();
        }
    }

    /** Why {@link #fail(Throwable)} fails a partition, before the error itself. */
    public static final String HYPERVISOR_FAILURE = "the hypervisor could not go on running the partition";

    /**
     * An error escaped the partition's slice (its exit handling ran out of memory or stack, say): the
     * partition fails with the reason (see {@link #fail(String)}). Every other partition keeps its LP
     * time. Never throws.
     */
    void fail(Throwable cause) {
        fail(HYPERVISOR_FAILURE + ": " + cause);
    }

    /**
     * The hypervisor can no longer run the partition (its execution engine failed, or its exit
     * handling did): it becomes FAILED once, no VP of it runs again, and the root is told the reason.
     * Never throws: reporting may fail the same way (out of memory), and the partition stays failed
     * and unscheduled regardless.
     */
    void fail(String reason) {
        try {
            if (!partition.fail(reason)) {
                return;
            }
            kickAll();
            LOG.error("{} failed, it will not run again: {}", partition, reason);
            exitHandler.partitionFailed(partition, reason);
        } catch (Throwable t) {
            // Already FAILED and off the LPs; only the report was lost.
        }
    }

    /** Whether an LP should pick the partition: some VP can run. Lock-free; called under the LPs' lock. */
    boolean hasWork() {
        if (!started || stopping || partition.isSuspended() || partition.state() == PartitionState.FAILED) {
            return false;
        }
        for (VirtualProcessor vp : partition.vps()) {
            if (vp.runnable()) {
                return true;
            }
        }
        return false;
    }

    /**
     * One slice on the calling LP, which owns the partition: runs its VPs in turn until the budget is
     * spent, a kick arrives, or no VP is runnable. Exits handled on the way (hypercalls, port writes,
     * ...) stay on this thread with no lock; only a kick or the deadline end the slice.
     */
    void runSlice(long budgetNanos) {
        long cpuStart = THREAD_CPU.getCurrentThreadCpuTime();
        try {
            runSliceTimed(budgetNanos);
        } finally {
            partition.cpuNanos().addAndGet(THREAD_CPU.getCurrentThreadCpuTime() - cpuStart);
        }
    }

    private void runSliceTimed(long budgetNanos) {
        long start = System.nanoTime();
        long deadline = start + budgetNanos;
        while (true) {
            if (!commands.isEmpty()) {
                drainCommands();
            }
            if (stopping || partition.isSuspended() || partition.state() == PartitionState.FAILED) {
                return;
            }
            VirtualProcessor vp = nextRunnable();
            if (vp == null) {
                return;
            }
            GpaMap map = partition.gpaMap();
            long generation = map.generation();
            if (vp.appliedMapGeneration != generation) {
                vp.engine().applyMemoryMap(map.regions());
                vp.appliedMapGeneration = generation;
            }
            // One clock read per exit: the end of a run is the start of the next, so a VP's run time
            // includes the kernel's handling of its exits (its CPU cost), and the deadline check
            // lags by one exit's handling.
            if (start - deadline >= 0) {
                return;
            }
            // The deadline is published only while the engine runs, as the preempter kicks engines
            // with a deadline: a stop landing between runs (while the exit is handled) is avoided.
            VpExit exit;
            vp.startSlice(deadline);
            try {
                exit = vp.engine().run();
            } finally {
                vp.endSlice();
            }
            long end = System.nanoTime();
            vp.countExit(end - start);
            start = end;
            exitHandler.handle(vp, exit);
            if (exit instanceof VpExit.Cancelled) {
                return;
            }
        }
    }

    private VirtualProcessor nextRunnable() {
        VirtualProcessor[] vps = partition.vps();
        int n = vps.length;
        if (nextVp >= n) {
            nextVp = 0;
        }
        for (int i = 0; i < n; i++) {
            int k = nextVp + i;
            if (k >= n) {
                k -= n;
            }
            VirtualProcessor vp = vps[k];
            if (vp.runnable()) {
                nextVp = k + 1 >= n ? 0 : k + 1;
                return vp;
            }
        }
        return null;
    }

    void drainCommands() {
        FutureTask<?> task;
        while ((task = commands.poll()) != null) {
            task.run();
        }
    }

    private void kickAll() {
        if (partition != null) {
            for (VirtualProcessor vp : partition.vps()) {
                vp.engine().kick();
            }
        }
    }

    @Override
    public String toString() {
        return String.valueOf(partition);
    }
}
