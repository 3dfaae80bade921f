package dev.parvis.hv.vp;

import dev.parvis.hv.backend.VpExit;
import dev.parvis.hv.memory.GpaMap;
import dev.parvis.hv.partition.Partition;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one host thread that runs a partition's VPs, in turn, in run slices. Unicorn's guest atomics
 * are not atomic across engines, so a partition's VPs never run in parallel; different partitions
 * have different runners and run in parallel.
 *
 * <p>Other threads never touch a VP's engine while it may run: they queue a command, kick the VPs
 * and wait; the runner executes commands between slices. Before the runner starts, commands run on
 * the caller's thread under the runner's lock.
 */
public final class PartitionRunner {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionRunner.class);
    private static final long COMMAND_TIMEOUT_SECONDS = 30;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final ConcurrentLinkedQueue<FutureTask<?>> commands = new ConcurrentLinkedQueue<>();
    private final VpPreempter preempter;
    private final long sliceNanos;
    private ExitHandler exitHandler;
    private Partition partition;
    private volatile Thread thread;
    private volatile boolean stopping;
    private int nextVp;

    public PartitionRunner(VpPreempter preempter, long sliceNanos) {
        this.preempter = preempter;
        this.sliceNanos = sliceNanos;
    }

    /** Completes construction; the partition and runner refer to each other. */
    public void attach(Partition partition, ExitHandler exitHandler) {
        this.partition = partition;
        this.exitHandler = exitHandler;
    }

    public boolean isRunning() {
        return thread != null && !stopping;
    }

    public void start() {
        lock.lock();
        try {
            if (thread != null) {
                return;
            }
            Thread t = Thread.ofPlatform().name("parvis-partition-" + partition.id()).daemon(true).unstarted(this::loop);
            thread = t;
            t.start();
        } finally {
            lock.unlock();
        }
    }

    /** Stops the thread after its current slice; returns once it has exited. */
    public void stop() {
        Thread t = thread;
        stopping = true;
        kickAll();
        signal();
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(COMMAND_TIMEOUT_SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                LOG.error("{}: run thread did not stop", partition);
            }
        }
    }

    /** Runs {@code action} where it may touch VP engines, and returns its result. */
    public <T> T execute(Callable<T> action) {
        Thread t = thread;
        if (t == null || t == Thread.currentThread() || !t.isAlive()) {
            lock.lock();
            try {
                return action.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            } finally {
                lock.unlock();
            }
        }
        FutureTask<T> task = new FutureTask<>(action);
        commands.add(task);
        kickAll();
        signal();
        try {
            return task.get(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException(partition + ": command not executed", e);
        }
    }

    public void wake(VirtualProcessor vp) {
        lock.lock();
        try {
            vp.wakePending = true;
            vp.halted = false;
            work.signal();
        } finally {
            lock.unlock();
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
        signal();
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
            work.signal();
        } finally {
            lock.unlock();
        }
        vp.engine().kick();
    }

    private void loop() {
        LOG.debug("{}: run thread started", partition);
        try {
            while (!stopping) {
                drainCommands();
                VirtualProcessor vp = nextRunnable();
                if (vp != null) {
                    runSlice(vp);
                }
            }
        } catch (Throwable t) {
            LOG.error("{}: run thread failed", partition, t);
        } finally {
            drainCommands();
            LOG.debug("{}: run thread stopped", partition);
        }
    }

    private void runSlice(VirtualProcessor vp) {
        GpaMap map = partition.gpaMap();
        long generation = map.generation();
        if (vp.appliedMapGeneration != generation) {
            vp.engine().applyMemoryMap(map.regions());
            vp.appliedMapGeneration = generation;
        }
        long start = System.nanoTime();
        vp.startSlice(start + sliceNanos);
        VpExit exit;
        try {
            exit = vp.engine().run();
        } finally {
            vp.endSlice();
        }
        vp.countExit(System.nanoTime() - start);
        exitHandler.handle(vp, exit);
    }

    private VirtualProcessor nextRunnable() {
        lock.lock();
        try {
            VirtualProcessor[] vps = partition.vps();
            for (int i = 0; i < vps.length; i++) {
                VirtualProcessor vp = vps[(nextVp + i) % vps.length];
                if (vp.runnable()) {
                    nextVp = (nextVp + i + 1) % vps.length;
                    return vp;
                }
            }
            if (commands.isEmpty() && !stopping) {
                work.await(100, TimeUnit.MILLISECONDS);
            }
            return null;
        } catch (InterruptedException e) {
            stopping = true;
            return null;
        } finally {
            lock.unlock();
        }
    }

    private void drainCommands() {
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

    private void signal() {
        lock.lock();
        try {
            work.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
