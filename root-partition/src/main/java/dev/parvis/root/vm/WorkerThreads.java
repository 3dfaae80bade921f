package dev.parvis.root.vm;

import java.util.concurrent.ArrayBlockingQueue;

/**
 * The platform threads VM workers run on, one of them made ahead of need: a new VM's worker begins
 * on a thread that is already parked, and is running within tens of microseconds of the request,
 * where a thread made on the spot first waits to be created and scheduled. On the two loaded cores
 * of the lifecycle bench a fresh thread reached its first instruction after a median 0.5 ms (p90
 * 2-4 ms), a parked one woke after 0.05 ms: most of a new VM's hand-off to its worker. The
 * replacement is made by {@link #prepareNext}, which the service calls off the request's path.
 */
final class WorkerThreads {
    private static final Runnable CLOSE = () -> { };

    /** A parked thread and its inbox: it takes one body, runs it, and ends with it. */
    private record Standby(Thread thread, ArrayBlockingQueue<Runnable> inbox) {
    }

    private Standby standby;
    private boolean closed;

    /** Runs {@code body} on a thread named {@code name}: the standby one when there is one. */
    Thread start(String name, Runnable body) {
        Standby s;
        synchronized (this) {
            s = standby;
            standby = null;
        }
        if (s == null) {
            return Thread.ofPlatform().name(name).daemon(true).start(body);
        }
        s.thread().setName(name);
        s.inbox().add(body);
        return s.thread();
    }

    /** Makes a standby thread if there is none (it costs a thread's creation: call it off any request's path). */
    synchronized void prepareNext() {
        if (closed || standby != null) {
            return;
        }
        ArrayBlockingQueue<Runnable> inbox = new ArrayBlockingQueue<>(1);
        Thread thread = Thread.ofPlatform().name("parvis-vm-standby").daemon(true).start(() -> {
            try {
                inbox.take().run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        standby = new Standby(thread, inbox);
    }

    /** Ends the standby thread; no more are made. */
    void close() {
        Standby s;
        synchronized (this) {
            closed = true;
            s = standby;
            standby = null;
        }
        if (s != null) {
            s.inbox().add(CLOSE);
        }
    }
}
