package dev.parvis.hv.vp;

import dev.parvis.hv.partition.Partition;
import dev.parvis.hv.partition.PartitionState;
import dev.parvis.hv.sched.CpuSharePolicy;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A partition as the LP scheduler sees it. The partition owns no thread. Two ways to run it, chosen by
 * the backend ({@link dev.parvis.hv.backend.BackendCapability#PARALLEL_VPS}):
 * <ul>
 *   <li><b>Serial</b> (unicorn: guest atomics are not atomic across engines): a logical processor
 *       ({@link LogicalProcessors}) takes exclusive ownership ({@link #owner}) and runs one slice of
 *       it, its VPs in turn; different partitions run on different LPs at once.</li>
 *   <li><b>Parallel</b> (KVM): each LP holds one VP ({@link VirtualProcessor#holder}), so the VPs of
 *       one partition run on several LPs at once. {@link #holders} counts them; a thread that needs
 *       the partition exclusively ({@link #execute}, suspend, stop) raises {@link #claims}, which
 *       stops LPs from taking further VPs, kicks the running ones and waits until none holds one
 *       (an LP asking from inside an exit it handles does not count itself), then owns the
 *       partition as a serial command would. Each LP's slice is charged to the partition's account.</li>
 * </ul>
 *
 * <p>Other threads never touch a VP's engine while it may run. {@link #execute} runs an action on the
 * owner: inline when the caller already owns the partition, or when no LP holds it (the caller then
 * owns it for the duration, so no LP picks it concurrently); otherwise it queues a command, kicks the
 * VPs and waits, and the owning LP runs it before it releases the partition.
 *
 * <p>VP flags (halted, suspended, ...) are {@link VpActivity}'s: written under its lock and read
 * lock-free (volatile) by the slice loop, so an exit handled inside a slice costs no lock.
 */
public final class PartitionRunner {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionRunner.class);
    private static final long COMMAND_TIMEOUT_SECONDS = 30;

    private final dev.parvis.vmcore.log.LogBudget budget = dev.parvis.vmcore.log.LogBudget.standard();
    final ConcurrentLinkedQueue<FutureTask<?>> commands = new ConcurrentLinkedQueue<>();
    private final VpPreempter preempter;
    private final LogicalProcessors lps;
    final CpuSharePolicy.Account account;
    /** The VPs' halt and suspend flags. */
    final VpActivity activity;
    /** CPU_WEIGHT, CPU_RESERVE and CPU_CAP of the partition. */
    private final CpuControls cpu;
    private final PartitionSlice slice;
    /** The thread that owns the partition (an LP, or a thread running a command inline); guarded by the LPs' lock for writes. */
    volatile Thread owner;
    /** True while {@link #owner} is an LP (it drains commands); written under the LPs' lock at slice boundaries. */
    volatile boolean ownerIsLp;
    private ExitHandler exitHandler;
    private Partition partition;
    private volatile boolean started;
    private volatile boolean stopping;
    private int nextVp;
    private final boolean parallel;
    /** Parallel: LPs holding a VP of this partition; guarded by the LPs' lock. */
    private int holders;
    /** Parallel: threads waiting to own the partition exclusively; guarded by the LPs' lock. */
    private int claims;
    private volatile int peakHolders;

    public PartitionRunner(VpPreempter preempter, LogicalProcessors lps) {
        this(preempter, lps, false);
    }

    /** With {@code parallel} the partition's VPs may run on several LPs at once (see the class comment). */
    public PartitionRunner(VpPreempter preempter, LogicalProcessors lps, boolean parallel) {
        this.preempter = preempter;
        this.lps = lps;
        this.account = lps.newAccount();
        this.parallel = parallel;
        this.activity = new VpActivity(lps, () -> started);
        this.cpu = new CpuControls(lps, account);
        this.slice = new PartitionSlice(this);
    }

    /** CPU_WEIGHT, CPU_RESERVE and CPU_CAP; each validated by the policy (IllegalArgumentException). */
    public CpuControls cpu() {
        return cpu;
    }

    /** Completes construction; the partition and runner refer to each other. */
    public void attach(Partition partition, ExitHandler exitHandler) {
        this.partition = partition;
        this.exitHandler = exitHandler;
    }

    /** True while an LP holds the partition (its VPs may be running). */
    public boolean heldByLp() {
        return parallel ? holders > 0 : ownerIsLp;
    }

    /** The most VPs of this partition that ran at the same time so far (1 on a serial runner). */
    public int peakParallelVps() {
        return parallel ? peakHolders : 1;
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
        VirtualProcessor mine = parallel ? heldBy(Thread.currentThread()) : null;
        lps.lock.lock();
        try {
            while (parallel ? holders > (mine == null ? 0 : 1) : owner != null && ownerIsLp) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    budget.error(LOG, "{}: still running on an LP after {} s", partition, COMMAND_TIMEOUT_SECONDS);
                    return;
                }
                lps.released.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(1)));
                kickAll(mine);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lps.lock.unlock();
        }
    }

    /** Runs {@code action} where it may touch VP engines, and returns its result. */
    public <T> T execute(Callable<T> action) {
        Thread me = Thread.currentThread();
        if (owner == me) {
            return call(action);
        }
        if (parallel) {
            return executeExclusive(action, me);
        }
        return executeSerial(action, me);
    }

    /**
     * Serial runners: owns the partition inline when no one holds it, or hands the action to the LP
     * that owns it (it runs commands before it releases the partition) and waits for the result.
     */
    private <T> T executeSerial(Callable<T> action, Thread me) {
        FutureTask<T> task = queueOrOwn(action, me);
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

    /** Null once {@code me} owns the partition; else the command queued for the owning LP. */
    private <T> FutureTask<T> queueOrOwn(Callable<T> action, Thread me) {
        lps.lock.lock();
        try {
            while (true) {
                if (owner == null) {
                    owner = me;
                    ownerIsLp = false;
                    return null;
                }
                if (ownerIsLp) {
                    FutureTask<T> task = new FutureTask<>(action);
                    commands.add(task);
                    return task;
                }
                lps.released.await(); // another thread runs a command inline
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(partition + ": interrupted", e);
        } finally {
            lps.lock.unlock();
        }
    }

    /**
     * Parallel runners: owns the partition once no LP holds a VP of it. An LP calling from inside an
     * exit of the VP it holds stops counting itself while it waits and owns (its VP is not running),
     * so two such LPs never wait for each other; it holds its VP again before it returns.
     */
    private <T> T executeExclusive(Callable<T> action, Thread me) {
        VirtualProcessor mine = heldBy(me);
        lps.lock.lock();
        try {
            claims++;
            if (mine != null) {
                holders--;
            }
            boolean owned = false;
            try {
                awaitNoHolders(mine);
                owner = me;
                ownerIsLp = false;
                owned = true;
            } finally {
                claims--;
                if (mine != null && !owned) {
                    holders++; // did not get the partition: hold the VP again as before
                }
            }
        } finally {
            lps.lock.unlock();
        }
        try {
            return call(action);
        } finally {
            lps.releaseExclusive(this, mine != null);
        }
    }

    /** Under the LPs' lock: kicks the VPs (but {@code mine}) until no one owns or holds the partition. */
    private void awaitNoHolders(VirtualProcessor mine) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(COMMAND_TIMEOUT_SECONDS);
        try {
            while (owner != null || holders > 0) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException(partition + ": command not executed, VPs still running");
                }
                kickAll(mine);
                lps.released.awaitNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(partition + ": interrupted", e);
        }
    }

    /** Parallel: the VP {@code thread} holds, or null. */
    private VirtualProcessor heldBy(Thread thread) {
        if (partition == null) {
            return null;
        }
        for (VirtualProcessor vp : partition.vps()) {
            if (vp.holder == thread) {
                return vp;
            }
        }
        return null;
    }

    /** Ends an exclusive ownership (LPs' lock held); the caller's own VP, if any, is held again. */
    void endExclusive(boolean holdAgain) {
        owner = null;
        if (holdAgain) {
            holders++;
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

    /** Makes a new VP known to the scheduler; it runs once the partition runs. */
    public void adopt(VirtualProcessor vp) {
        preempter.register(vp);
        if (started) {
            lps.notifyWork();
        }
    }

    /** Marks a VP deleted so it never runs again, and stops preempting it. */
    public void retire(VirtualProcessor vp) {
        activity.retire(vp);
        preempter.unregister(vp);
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

    /**
     * Whether an LP may take the partition now (called under the LPs' lock): serial, when no one owns
     * it and some VP can run; parallel, when no one owns or claims it and some VP no LP holds can run.
     * A failed partition never runs again.
     */
    boolean pickable() {
        if (!started || stopping || partition.isSuspended() || partition.state() == PartitionState.FAILED || owner != null
                || (parallel && claims > 0)) {
            return false;
        }
        for (VirtualProcessor vp : partition.vps()) {
            if (vp.runnable() && (!parallel || vp.holder == null)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code running}, past its slice deadline, must give its LP back now: the partition is
     * capped (the cap is enforced whether or not anyone waits), stopping or suspended, another VP of
     * this serial partition could run, or another partition or VP waits for an LP.
     */
    boolean mustYield(VirtualProcessor running) {
        if (stopping || partition.isSuspended() || !commands.isEmpty() || claims > 0 || account.cap() != 0) {
            return true;
        }
        if (!parallel) {
            for (VirtualProcessor vp : partition.vps()) {
                if (vp != running && vp.runnable()) {
                    return true;
                }
            }
        }
        return lps.anyPickable();
    }

    /** The LP takes the partition (serial; returns null) or one of its VPs (parallel). Under the LPs' lock. */
    VirtualProcessor acquire(Thread lp) {
        if (!parallel) {
            owner = lp;
            ownerIsLp = true;
            return null;
        }
        VirtualProcessor vp = nextRunnable(true);
        if (vp == null) {
            return null; // went to sleep since pickable(): runSlice returns at once
        }
        vp.holder = lp;
        holders++;
        if (holders > peakHolders) {
            peakHolders = holders;
        }
        return vp;
    }

    /**
     * The LP gives the partition (serial) or its VP (parallel) back; under the LPs' lock. False when a
     * serial owner must first run commands posted meanwhile.
     */
    boolean release(VirtualProcessor vp) {
        if (!parallel) {
            if (!commands.isEmpty()) {
                return false;
            }
            owner = null;
            ownerIsLp = false;
            return true;
        }
        if (vp != null) {
            vp.holder = null;
            holders--;
        }
        return true;
    }

    /** One slice on the calling LP (see {@link PartitionSlice}). */
    void runSlice(long budgetNanos, VirtualProcessor held) {
        slice.run(budgetNanos, held);
    }

    /** Whether the slice under way must end before its next run: the partition stops, is suspended, failed or claimed. */
    boolean sliceMustEnd() {
        if (!parallel && !commands.isEmpty()) {
            drainCommands();
        }
        return stopping || partition.isSuspended() || partition.state() == PartitionState.FAILED || (parallel && claims > 0);
    }

    /** The VP the slice runs next: the one the LP holds (parallel) or the next in turn (serial); null if none can run. */
    VirtualProcessor nextInSlice(VirtualProcessor held) {
        return parallel ? (held != null && held.runnable() ? held : null) : nextRunnable(false);
    }

    Partition partition() {
        return partition;
    }

    ExitHandler exitHandler() {
        return exitHandler;
    }

    /** The next runnable VP after the last one taken (with {@code unheld}: one no LP holds), or null. */
    private VirtualProcessor nextRunnable(boolean unheld) {
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
            if (vp.runnable() && (!unheld || vp.holder == null)) {
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
        kickAll(null);
    }

    /** Kicks every VP but {@code except} (the caller's own, which is not running: a kick would only end its next run). */
    private void kickAll(VirtualProcessor except) {
        if (partition != null) {
            for (VirtualProcessor vp : partition.vps()) {
                if (vp != except) {
                    vp.engine().kick();
                }
            }
        }
    }

    @Override
    public String toString() {
        return String.valueOf(partition);
    }
}
