package dev.parvis.devices.storvsp;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads of one disk: file I/O for its logical unit runs here, never on a VMBus turn or a
 * processor thread, so a slow disk holds up only its own requests. The queue needs no bound of its
 * own: every channel caps the requests it has in flight ({@link StorVsp#maxInFlightPerChannel}).
 */
final class DiskQueue implements AutoCloseable {
    static final int THREADS = 4;

    private final ExecutorService threads;

    DiskQueue(String diskName) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, "parvis-disk-" + diskName + "-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        this.threads = pool;
    }

    /** Runs {@code work} on the disk's threads; false when the disk is being detached. */
    boolean submit(Runnable work) {
        try {
            threads.execute(work);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** Refuses new work and waits for the work already queued (each request completes once). */
    @Override
    public void close() {
        threads.shutdown();
        boolean interrupted = false;
        while (true) {
            try {
                if (threads.awaitTermination(1, TimeUnit.SECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
