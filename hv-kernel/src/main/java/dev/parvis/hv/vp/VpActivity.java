package dev.parvis.hv.vp;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Whether a partition's VPs may run: their halt, wake-pending, suspend and deleted flags. Every
 * change is made under one lock per partition, so a wake-up and a HLT never lose each other; the
 * LPs' slice loop reads the flags lock-free (they are volatile). A change that may let a VP run
 * kicks its engine (so a running VP sees a new suspension at once) and wakes an idle LP.
 */
final class VpActivity {
    private final ReentrantLock lock = new ReentrantLock();
    private final LogicalProcessors lps;
    /** Whether the partition is on the LPs (FinalizePartition happened): before that nobody needs waking. */
    private final BooleanSupplier started;

    VpActivity(LogicalProcessors lps, BooleanSupplier started) {
        this.lps = lps;
        this.started = started;
    }

    /** SynIC work for {@code vp}: a halted VP runs again, a running one's next HLT returns at once. */
    void wake(VirtualProcessor vp) {
        boolean woke;
        lock.lock();
        try {
            vp.wakePending = true;
            woke = vp.halted;
            vp.halted = false;
        } finally {
            lock.unlock();
        }
        if (woke && started.getAsBoolean()) {
            lps.notifyWork();
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

    void setInterceptSuspend(VirtualProcessor vp, boolean value) {
        change(vp, () -> vp.interceptSuspend = value);
    }

    void setExplicitSuspend(VirtualProcessor vp, boolean value) {
        change(vp, () -> vp.explicitSuspend = value);
    }

    void setStartupSuspend(VirtualProcessor vp, boolean value) {
        change(vp, () -> vp.startupSuspend = value);
    }

    /** The VP never runs again. */
    void retire(VirtualProcessor vp) {
        change(vp, () -> vp.deleted = true);
    }

    /** A consistent read of the flags (against a concurrent change). */
    <T> T read(Supplier<T> read) {
        lock.lock();
        try {
            return read.get();
        } finally {
            lock.unlock();
        }
    }

    private void change(VirtualProcessor vp, Runnable change) {
        lock.lock();
        try {
            change.run();
        } finally {
            lock.unlock();
        }
        vp.engine().kick();
        if (started.getAsBoolean()) {
            lps.notifyWork();
        }
    }
}
