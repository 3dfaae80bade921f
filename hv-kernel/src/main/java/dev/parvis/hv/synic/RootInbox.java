package dev.parvis.hv.synic;

import dev.parvis.abi.hv.HvMessage;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.abi.hv.HvSynic;
import dev.parvis.vmcore.RootSynic;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The root partition's SynIC. The root has no VP and no SIM page: its SINTs are queues that root
 * threads wait on, and its event flags a bit array per SINT.
 *
 * <p>Every SINT queue is shared by all children (their VMBus control messages, their messages to the
 * root, the hypervisor's intercept reports about them), so each child has its own bounded share of
 * each queue ({@link #perChildDepth}, chosen by the host) and the root takes messages round-robin
 * over the children: a child that floods a SINT gets INSUFFICIENT_BUFFERS while every other child's
 * messages still get in and are still taken promptly. A child's queued messages are dropped when
 * it is deleted, so the queues stay bounded by the live children.
 */
public final class RootInbox implements SynicTarget, RootSynic {
    /** Messages one child may have queued on one root SINT before it gets INSUFFICIENT_BUFFERS. */
    public static final int DEFAULT_PER_CHILD_DEPTH = 256;

    private final int perChildDepth;
    private final Sint[] sints = new Sint[HvSynic.SINT_COUNT];
    private static final java.lang.invoke.VarHandle FLAG_WORD = java.lang.invoke.MethodHandles.arrayElementVarHandle(long[].class);
    private final long[][] flags = new long[HvSynic.SINT_COUNT][HvSynic.EVENT_FLAGS_COUNT / 64];
    private final ReentrantLock flagLock = new ReentrantLock();
    /** Per SINT, per flag; a SINT's array exists once something subscribed to it. Read on every signal. */
    private final java.util.concurrent.atomic.AtomicReferenceArray<java.util.concurrent.atomic.AtomicReferenceArray<Runnable>> listeners =
            new java.util.concurrent.atomic.AtomicReferenceArray<>(HvSynic.SINT_COUNT);
    private final Condition flagSet = flagLock.newCondition();
    /** Told, per SINT, which child's share just got room (the kernel retries what it could not deliver). */
    private volatile SpaceListener spaceListener = (sint, child) -> { };
    /** Bit n: SINT n has (or had) a listener array. A plain field read skips the array on every signal. */
    private volatile int subscribedSints;

    /** Learns that {@code child}'s share of root SINT {@code sint} has room again. */
    @FunctionalInterface
    public interface SpaceListener {
        void spaceFreed(int sint, long child);
    }

    /** One root SINT: the children's shares and the waiters. */
    private static final class Sint {
        final ReentrantLock lock = new ReentrantLock();
        final Condition nonEmpty = lock.newCondition();
        final FairQueue<HvMessage> queue;

        Sint(int perChild) {
            queue = new FairQueue<>(perChild);
        }
    }

    public RootInbox() {
        this(DEFAULT_PER_CHILD_DEPTH);
    }

    /** @param perChildDepth messages each child may have queued per root SINT */
    public RootInbox(int perChildDepth) {
        this.perChildDepth = perChildDepth;
        for (int i = 0; i < sints.length; i++) {
            sints[i] = new Sint(perChildDepth);
        }
    }

    public int perChildDepth() {
        return perChildDepth;
    }

    public void setSpaceListener(SpaceListener listener) {
        this.spaceListener = listener;
    }

    @Override
    public HvStatus postMessage(long sender, int sint, HvMessage message) {
        Sint s = sints[sint];
        s.lock.lock();
        try {
            if (!s.queue.offer(sender, message)) {
                return HvStatus.INSUFFICIENT_BUFFERS;
            }
            s.nonEmpty.signal();
            return HvStatus.SUCCESS;
        } finally {
            s.lock.unlock();
        }
    }

    @Override
    public int queued(int sint, long child) {
        Sint s = sints[checkSint(sint)];
        s.lock.lock();
        try {
            return s.queue.queuedBy(child);
        } finally {
            s.lock.unlock();
        }
    }

    /** A copy of the messages {@code child} has queued on {@code sint} that the root has not taken yet, oldest first. */
    public java.util.List<HvMessage> queuedMessages(int sint, long child) {
        Sint s = sints[checkSint(sint)];
        s.lock.lock();
        try {
            return s.queue.itemsOf(child);
        } finally {
            s.lock.unlock();
        }
    }

    /** Drops everything a deleted child still had queued on any root SINT. */
    public void forgetChild(long child) {
        for (Sint s : sints) {
            s.lock.lock();
            try {
                s.queue.removeSender(child);
            } finally {
                s.lock.unlock();
            }
        }
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
        try {
            return take(sint, Duration.ZERO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    @Override
    public Optional<HvMessage> take(int sint, Duration timeout) throws InterruptedException {
        HvMessage[] taken = new HvMessage[1];
        return takeInto(sint, timeout, m -> taken[0] = m) ? Optional.of(taken[0]) : Optional.empty();
    }

    @Override
    public boolean takeInto(int sint, Duration timeout, java.util.function.Consumer<HvMessage> handOff) throws InterruptedException {
        Sint s = sints[checkSint(sint)];
        long nanos = timeout.toNanos();
        long sender;
        s.lock.lock();
        try {
            while (s.queue.isEmpty()) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = s.nonEmpty.awaitNanos(nanos);
            }
            sender = s.queue.peekSender();
            handOff.accept(s.queue.poll());
        } finally {
            s.lock.unlock();
        }
        spaceListener.spaceFreed(sint, sender);
        return true;
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
