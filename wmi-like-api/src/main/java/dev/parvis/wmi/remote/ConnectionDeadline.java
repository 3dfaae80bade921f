package dev.parvis.wmi.remote;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The one deadline a connection is under now (its TLS handshake, the wait for its next request,
 * the rest of a request begun), enforced from outside its thread: past it, {@code expiry} runs
 * (the server closes the connection's TCP socket, which ends whatever read the thread is blocked
 * in). A socket timeout restarts with every byte, so a client sending one byte at a time could
 * hold its connection forever; nothing the client sends moves this deadline.
 *
 * <p>Arming costs a volatile write and a short lock; a check is scheduled on the shared timer only
 * when the new deadline falls before the pending check, so a busy connection schedules about one
 * check per deadline period, not one per request. A check that finds a later deadline schedules
 * itself again for it; one that finds none leaves the next arm to schedule.
 */
final class ConnectionDeadline implements AutoCloseable {
    /** A deadline and what it means when missed (the audit says it). */
    private record Armed(long dueNanos, String breach) {
    }

    private final ScheduledExecutorService timer;
    private final Runnable expiry;
    private volatile Armed armed;
    private volatile String breached;
    private ScheduledFuture<?> check; // guarded by this, as are checkAt and ended
    private long checkAt;
    private boolean ended;

    ConnectionDeadline(ScheduledExecutorService timer, Runnable expiry) {
        this.timer = timer;
        this.expiry = expiry;
    }

    /** From now the connection must reach its next step within {@code within}; else it ends, for {@code breach}. */
    void arm(Duration within, String breach) {
        Armed a = new Armed(System.nanoTime() + within.toNanos(), breach);
        armed = a;
        synchronized (this) {
            if (ended || (check != null && checkAt - a.dueNanos <= 0)) {
                return;
            }
            if (check != null) {
                check.cancel(false);
            }
            schedule(a.dueNanos);
        }
    }

    /** No deadline until the next {@link #arm} (the server, not the client, has the next step). */
    void disarm() {
        armed = null;
    }

    /** Why the connection was ended, if its deadline ended it. */
    Optional<String> breach() {
        return Optional.ofNullable(breached);
    }

    private void schedule(long dueNanos) {
        checkAt = dueNanos;
        try {
            check = timer.schedule(this::check, dueNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException stopped) {
            // The server has closed (and its timer with it): end the connection now rather than leave it unwatched.
            check = null;
            ended = true;
            breached = "the server closed";
            expiry.run();
        }
    }

    private void check() {
        Armed a = armed;
        synchronized (this) {
            check = null;
            if (ended || a == null) {
                return;
            }
            if (System.nanoTime() - a.dueNanos < 0) {
                schedule(a.dueNanos);
                return;
            }
            ended = true;
            breached = a.breach;
        }
        expiry.run();
    }

    /** The connection has ended: no check runs for it any more. */
    @Override
    public synchronized void close() {
        ended = true;
        if (check != null) {
            check.cancel(false);
            check = null;
        }
    }
}
