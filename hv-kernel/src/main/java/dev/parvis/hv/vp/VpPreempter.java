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

    public VpPreempter() {
        thread = Thread.ofPlatform().name("parvis-preempter").daemon(true).start(this::loop);
    }

    void register(VirtualProcessor vp) {
        vps.add(vp);
    }

    void unregister(VirtualProcessor vp) {
        vps.remove(vp);
    }

    private void loop() {
        while (!closed) {
            LockSupport.parkNanos(TICK_NANOS);
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
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
    }
}
