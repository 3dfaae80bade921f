package dev.parvis.root.vm;

import dev.parvis.vmcore.log.LogBudget;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A VM worker's thread and the work it takes in order: requests, each answered through its future
 * and followed by what it announced ({@link VmAnnouncements}), and the intercepts the router hands
 * over. Only this thread runs the work, so the work owns the VM's partition without locks.
 */
final class WorkerQueue {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerQueue.class);

    private final LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    private final Supplier<String> vmName;
    private final WorkerThreads threads;
    private final VmAnnouncements announcements;
    /** Lines the guest can cause: an unexpected failure of an intercept's handling is traced within it. */
    private final LogBudget guestLines;
    private volatile Thread thread;
    private volatile boolean retired;
    /** The listener of the request being executed (worker thread only). */
    private RequestProgress progress = RequestProgress.NONE;

    WorkerQueue(Supplier<String> vmName, WorkerThreads threads, VmAnnouncements announcements, LogBudget guestLines) {
        this.vmName = vmName;
        this.threads = threads;
        this.announcements = announcements;
        this.guestLines = guestLines;
    }

    /**
     * Starts the thread. A new VM's first request may be queued before (New-VM -Start): the thread
     * then finds it waiting, rather than parking on an empty queue and being woken again.
     */
    void begin() {
        thread = threads.start("parvis-vm-" + vmName.get(), this::loop);
    }

    /** Queues a request: {@code action} runs on the thread, and its state (or failure) answers the future. */
    CompletableFuture<VmState> request(RequestProgress listener, Supplier<VmState> action) {
        CompletableFuture<VmState> done = new CompletableFuture<>();
        if (retired) {
            done.completeExceptionally(new VmException("VM '%s' was deleted".formatted(vmName.get())));
            return done;
        }
        queue.add(() -> {
            progress = listener;
            try {
                VmState after = action.get();
                progress(100);
                done.complete(after);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            } finally {
                progress = RequestProgress.NONE;
            }
        });
        return done;
    }

    /** Queues work that answers no one (an intercept the router handed over). */
    void post(Runnable work) {
        queue.add(work);
    }

    /** Tells the current request's listener how far it has got (a listener's failure never fails the request). */
    void progress(int percent) {
        try {
            progress.report(percent);
        } catch (RuntimeException e) {
            LOG.warn("VM '{}': a progress listener failed: {}", vmName.get(), e.toString());
        }
    }

    /** No request is taken after the one in hand (the VM was deleted). */
    void retireAfterThis() {
        retired = true;
    }

    /** Stops the thread after the queued work. */
    void retire() {
        retired = true;
        queue.add(() -> { });
    }

    void awaitRetired(Duration timeout) throws InterruptedException {
        Thread t = thread;
        if (t != null) {
            t.join(timeout);
        }
    }

    private void loop() {
        announcements.heldOn(Thread.currentThread());
        while (!(retired && queue.isEmpty())) {
            try {
                try {
                    queue.take().run();
                } finally {
                    announcements.release();
                }
                // The next VM's worker thread, made now that this request is answered (a no-op when one is ready).
                threads.prepareNext();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // Queued work includes the guest's intercepts: traces within the VM's line budget.
                if (guestLines.acquire() >= 0) {
                    LOG.error("VM '{}': unexpected failure on its worker thread", vmName.get(), e);
                }
            }
        }
    }
}
