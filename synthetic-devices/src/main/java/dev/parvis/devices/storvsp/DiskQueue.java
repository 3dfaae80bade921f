package dev.parvis.devices.storvsp;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads of one disk: file I/O for its logical unit runs here, never on a VMBus turn or a
 * processor thread, so a slow disk holds up only its own requests. The queue needs no bound of its
 * own: every channel caps the requests it has in flight ({@link StorVsp#maxInFlightPerChannel}).
 *
 * <p>Waking a parked thread costs more than a 4 KiB read from the page cache, so a burst of requests
 * must not wake a thread each (as a thread pool's blocking queue does). A submission wakes a thread
 * only when no thread is looking for work; a thread that takes a request while others wait behind
 * it, and was the last one looking, wakes one more. So one burst wakes at most one thread per
 * request the others cannot take yet, up to {@link #THREADS}, and a thread blocked in slow I/O is
 * not looking, so the next request wakes another (a slow request does not serialize the rest).
 */
final class DiskQueue implements AutoCloseable {
    /**
     * Enough to overlap a few slow requests (at least two, so one slow request never holds up the
     * next); more than the machine's processors only adds switching for page-cache reads.
     */
    static final int THREADS = Math.clamp(Runtime.getRuntime().availableProcessors(), 2, 4);
    private static final Logger LOG = LoggerFactory.getLogger(DiskQueue.class);

    private final String diskName;
    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedDeque<Worker> idle = new ConcurrentLinkedDeque<>();
    /** Threads awake and not running a request: they will find what is queued. */
    private final AtomicInteger searching = new AtomicInteger();
    private final List<Worker> workers = new ArrayList<>();
    private volatile boolean closed;

    DiskQueue(String diskName) {
        this.diskName = diskName;
    }

    /** Runs {@code work} on the disk's threads; false when the disk is being detached. */
    boolean submit(Runnable work) {
        synchronized (this) {
            if (closed) {
                return false;
            }
            queue.offer(work);
        }
        wakeOne();
        return true;
    }

    /** Makes sure some thread will look at the queue: wakes an idle one or starts one. */
    private void wakeOne() {
        if (searching.get() > 0) {
            return;
        }
        Worker w;
        while ((w = idle.poll()) != null) {
            if (w.parked.compareAndSet(true, false)) {
                searching.incrementAndGet();
                LockSupport.unpark(w.thread);
                return;
            }
        }
        synchronized (this) {
            if (workers.size() < THREADS && !closed) {
                searching.incrementAndGet();
                Worker started = new Worker();
                workers.add(started);
                started.thread.start();
            }
        }
    }

    /** Refuses new work and waits for the work already queued (each request completes once). */
    @Override
    public void close() {
        List<Worker> all;
        synchronized (this) {
            closed = true;
            all = List.copyOf(workers);
        }
        all.forEach(w -> LockSupport.unpark(w.thread));
        boolean interrupted = false;
        for (Worker w : all) {
            while (w.thread.isAlive()) {
                try {
                    w.thread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Worker implements Runnable {
        final AtomicBoolean parked = new AtomicBoolean();
        final Thread thread;

        Worker() {
            thread = Thread.ofPlatform().daemon().name("parvis-disk-" + diskName + "-" + (workers.size() + 1)).unstarted(this);
        }

        /** Starts counted as searching (whoever started or woke it counted it). */
        @Override
        public void run() {
            while (true) {
                Runnable work = queue.poll();
                if (work != null) {
                    if (searching.decrementAndGet() == 0 && !queue.isEmpty()) {
                        wakeOne();
                    }
                    runOne(work);
                    searching.incrementAndGet();
                } else if (closed) {
                    searching.decrementAndGet();
                    return; // every submission happened before closed was set, so the queue is drained
                } else {
                    park();
                }
            }
        }

        /** Stops searching until a submission wakes this thread (it then counts as searching again). */
        private void park() {
            parked.set(true);
            idle.push(this);
            searching.decrementAndGet();
            // A submission that saw us searching did not wake anyone: look once more before sleeping.
            if (!queue.isEmpty() || closed) {
                if (parked.compareAndSet(true, false)) {
                    idle.remove(this);
                    searching.incrementAndGet();
                }
                return; // else a waker took us and counted us
            }
            while (parked.get() && !closed) {
                LockSupport.park(this);
            }
            if (parked.compareAndSet(true, false)) { // woken by close, not by a waker
                idle.remove(this);
                searching.incrementAndGet();
            }
        }

        private void runOne(Runnable work) {
            try {
                work.run();
            } catch (RuntimeException | Error e) {
                LOG.error("disk {}: a request failed on its thread", diskName, e);
            }
        }
    }
}
