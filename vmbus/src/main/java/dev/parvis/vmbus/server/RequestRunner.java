package dev.parvis.vmbus.server;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/**
 * Runs one connection's requests (GPADL grants, channel opens with the device's {@code open}, view
 * releases) in order, off the control path: the thread that feeds the server guest messages never
 * waits for a grant or a device. At most one request of a connection runs at a time; after
 * {@link #BUDGET} requests the runner yields its thread and queues itself again. Each request
 * reports back to the server through its own completion.
 */
final class RequestRunner {
    static final int BUDGET = 16;

    private final Executor executor;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private boolean running;

    RequestRunner(Executor executor) {
        this.executor = executor;
    }

    /** Queues {@code request}; never runs it on the caller's thread. */
    void submit(Runnable request) {
        synchronized (this) {
            queue.addLast(request);
            if (running) {
                return;
            }
            running = true;
        }
        executor.execute(this::drain);
    }

    private void drain() {
        for (int done = 0; done < BUDGET; done++) {
            Runnable next;
            synchronized (this) {
                next = queue.pollFirst();
                if (next == null) {
                    running = false;
                    return;
                }
            }
            try {
                next.run();
            } catch (Throwable t) {
                // Requests report their own failures as completions; whatever escaped must not stop the rest.
            }
        }
        executor.execute(this::drain);
    }

    /** Requests queued and not yet started. */
    synchronized int queued() {
        return queue.size();
    }
}
