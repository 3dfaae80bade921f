package dev.parvis.hv.synic;

import dev.parvis.abi.hv.HvMessage;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.abi.hv.HvSynic;
import dev.parvis.vmcore.RootSynic;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The root partition's SynIC. The root has no VP and no SIMP page: its SINTs are bounded queues
 * that root threads wait on, and its event flags a bit array per SINT.
 */
public final class RootInbox implements SynicTarget, RootSynic {
    /** Messages a root SINT holds before senders get INSUFFICIENT_BUFFERS. */
    public static final int QUEUE_DEPTH = 4096;

    @SuppressWarnings("unchecked")
    private final LinkedBlockingQueue<HvMessage>[] queues = new LinkedBlockingQueue[HvSynic.SINT_COUNT];
    private static final java.lang.invoke.VarHandle FLAG_WORD = java.lang.invoke.MethodHandles.arrayElementVarHandle(long[].class);
    private final long[][] flags = new long[HvSynic.SINT_COUNT][HvSynic.EVENT_FLAGS_COUNT / 64];
    private final ReentrantLock flagLock = new ReentrantLock();
    /** Per SINT, per flag; a SINT's array exists once something subscribed to it. Read on every signal. */
    private final java.util.concurrent.atomic.AtomicReferenceArray<java.util.concurrent.atomic.AtomicReferenceArray<Runnable>> listeners =
            new java.util.concurrent.atomic.AtomicReferenceArray<>(HvSynic.SINT_COUNT);
    private final Condition flagSet = flagLock.newCondition();
    /** Bit n: SINT n has (or had) a listener array. A plain field read skips the array on every signal. */
    private volatile int subscribedSints;

    public RootInbox() {
        for (int i = 0; i < queues.length; i++) {
            queues[i] = new LinkedBlockingQueue<>(QUEUE_DEPTH);
        }
    }

    @Override
    public HvStatus postMessage(int sint, HvMessage message) {
        return queues[sint].offer(message) ? HvStatus.SUCCESS : HvStatus.INSUFFICIENT_BUFFERS;
    }

    @Override
    public boolean signalEvent(int sint, int flag) {
        boolean newlySet;
        if ((flagWord(sint, flag) & (1L << (flag & 63))) != 0) {
            // Already pending: nothing to publish, no waiter to wake (the lock is for new bits).
            notifyListener(sint, flag);
            return false;
        }
        flagLock.lock();
        try {
            long bit = 1L << (flag & 63);
            newlySet = (flags[sint][flag >>> 6] & bit) == 0;
            if (newlySet) {
                FLAG_WORD.setVolatile(flags[sint], flag >>> 6, flags[sint][flag >>> 6] | bit);
                flagSet.signalAll();
            }
        } finally {
            flagLock.unlock();
        }
        notifyListener(sint, flag);
        return newlySet;
    }

    private void notifyListener(int sint, int flag) {
        if ((subscribedSints & (1 << sint)) == 0) {
            return;
        }
        var forSint = listeners.get(sint);
        Runnable listener = forSint == null ? null : forSint.get(flag);
        if (listener != null) {
            listener.run();
        }
    }

    /** A racy read of one flag word: only used to skip work for bits that are already set. */
    private long flagWord(int sint, int flag) {
        return (long) FLAG_WORD.getVolatile(flags[sint], flag >>> 6);
    }

    @Override
    public void subscribe(int sint, int flag, Runnable listener) {
        checkSint(sint);
        checkFlag(flag);
        listeners.compareAndSet(sint, null, new java.util.concurrent.atomic.AtomicReferenceArray<>(HvSynic.EVENT_FLAGS_COUNT));
        listeners.get(sint).set(flag, listener);
        synchronized (listeners) {
            subscribedSints |= 1 << sint;
        }
    }

    @Override
    public void unsubscribe(int sint, int flag) {
        checkSint(sint);
        checkFlag(flag);
        var forSint = listeners.get(sint);
        if (forSint != null) {
            forSint.set(flag, null);
        }
    }

    private static void checkFlag(int flag) {
        if (flag < 0 || flag >= HvSynic.EVENT_FLAGS_COUNT) {
            throw new IllegalArgumentException("event flag " + flag);
        }
    }

    @Override
    public Optional<HvMessage> poll(int sint) {
        return Optional.ofNullable(queues[checkSint(sint)].poll());
    }

    @Override
    public Optional<HvMessage> take(int sint, Duration timeout) throws InterruptedException {
        return Optional.ofNullable(queues[checkSint(sint)].poll(timeout.toNanos(), TimeUnit.NANOSECONDS));
    }

    @Override
    public boolean testAndClearEvent(int sint, int flag) {
        checkSint(sint);
        if (flag < 0 || flag >= HvSynic.EVENT_FLAGS_COUNT) {
            throw new IllegalArgumentException("event flag " + flag);
        }
        flagLock.lock();
        try {
            long bit = 1L << (flag & 63);
            boolean wasSet = (flags[sint][flag >>> 6] & bit) != 0;
            // Volatile, so a signaller that sees the bit clear sets it again: the root drains after clearing.
            FLAG_WORD.setVolatile(flags[sint], flag >>> 6, flags[sint][flag >>> 6] & ~bit);
            return wasSet;
        } finally {
            flagLock.unlock();
        }
    }

    @Override
    public boolean awaitEvent(int sint, Duration timeout) throws InterruptedException {
        checkSint(sint);
        long nanos = timeout.toNanos();
        flagLock.lock();
        try {
            while (!anySet(sint)) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = flagSet.awaitNanos(nanos);
            }
            return true;
        } finally {
            flagLock.unlock();
        }
    }

    private boolean anySet(int sint) {
        for (long word : flags[sint]) {
            if (word != 0) {
                return true;
            }
        }
        return false;
    }

    private static int checkSint(int sint) {
        if (sint < 0 || sint >= HvSynic.SINT_COUNT) {
            throw new IllegalArgumentException("SINT " + sint);
        }
        return sint;
    }
}
