package dev.parvis.hv.vp;

import dev.parvis.vmcore.log.LogBudgets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel thread that ends run slices. It kicks every engine whose slice deadline passed while
 * something else waits for the processor (another partition or VP, or the partition's own cap),
 * and re-kicks every running engine whose kick is still unacknowledged: a backend stop that lands
 * while the engine is entering the guest can be lost (uc_emu_stop is not sticky), so a kick is
 * repeated until the run it was meant for has returned. A slice nobody waits for is cut only after
 * {@link #UNCONTENDED_EXTENSION_NANOS} more (on KVM an exit costs hundreds of microseconds on a PVM
 * host; run-time statistics are counted at exits, so they still advance); the LP charges the whole
 * time when it releases the VP.
 *
 * <p>It ticks only while some LP runs a slice ({@link #sliceBegins}, {@link #sliceEnds}): with every
 * VP halted or no partition running it sleeps, so an idle host is not woken 2,000 times a second.
 */
public final class VpPreempter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VpPreempter.class);
    private static final long TICK_NANOS = 500_000;
    static final long UNCONTENDED_EXTENSION_NANOS = 90_000_000;

    /** Every live VP; a VP inside a run has a non-zero slice deadline. */
    private final List<VirtualProcessor> vps = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean closed;
    private final LogBudgets budgets = LogBudgets.standard();
    /** LPs inside a slice now; guarded by {@code this}. */
    private int slices;
    /** Ticks so far (each a look at every VP); read by tests and statistics. */
    private volatile long ticks;

    public VpPreempter() {
        thread = Thread.ofPlatform().name("parvis-preempter").daemon(true).start(this::loop);
    }

    void register(VirtualProcessor vp) {
        vps.add(vp);
    }

    void unregister(VirtualProcessor vp) {
        vps.remove(vp);
    }

    /** An LP starts a slice: the preempter ticks from now on (at once if it slept). */
    synchronized void sliceBegins() {
        if (slices++ == 0) {
            notifyAll();
        }
    }

    /** An LP's slice ended (every VP it ran is out of its run). */
    synchronized void sliceEnds() {
        slices--;
    }

    /** How many times the preempter has looked at the running VPs. */
    public long ticks() {
        return ticks;
    }

    /** Sleeps while no LP runs a slice; false once closed. */
    private synchronized boolean awaitSlices() {
        while (slices == 0 && !closed) {
            try {
                wait();
            } catch (InterruptedException e) {
                return false;
            }
        }
        return !closed;
    }

    private void loop() {
        while (awaitSlices()) {
            LockSupport.parkNanos(TICK_NANOS);
            ticks++;
            kickOverdue();
        }
    }

    private void kickOverdue() {
        long now = System.nanoTime();
        for (VirtualProcessor vp : vps) {
            try {
                long deadline = vp.sliceDeadline();
                if (deadline == 0) {
                    continue;
                }
                boolean over = now - deadline >= 0;
                if (vp.engine().kickPending() || (over && (now - deadline >= UNCONTENDED_EXTENSION_NANOS
                        || vp.partition().runner().mustYield(vp)))) {
                    vp.engine().kick();
                }
            } catch (Throwable t) {
                // One VP's broken engine must not end preemption for every partition.
                budgets.of(vp.partition().id()).warn(LOG, "{}: kick failed: {}", vp, t);
            }
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        LockSupport.unpark(thread);
    }
}
