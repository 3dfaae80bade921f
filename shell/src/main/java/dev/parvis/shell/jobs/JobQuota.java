package dev.parvis.shell.jobs;

import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.RuntimeError;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bound on the jobs of one tree of sessions: an interactive session's jobs, the jobs their
 * scripts start in their own sessions, and so on down. Each session's own list would otherwise
 * allow its bound at every level ('Start-Job { 1..1000 | % { Start-Job { ... } } }' nested), so
 * every session of the tree takes its jobs' slots here. A slot is held while its job is kept in
 * its session's list and while the job's thread runs; it comes back when both have ended.
 */
final class JobQuota {
    private final int max;
    private final AtomicInteger held = new AtomicInteger();

    JobQuota(int max) {
        this.max = max;
    }

    /** A slot for one more job; the TooManyJobs error when the tree holds {@code max} already. */
    Slot take() {
        while (true) {
            int n = held.get();
            if (n >= max) {
                throw new RuntimeError("This shell's sessions have " + max + " jobs, counting the jobs that jobs started; "
                        + "remove finished ones with Remove-Job.", ErrorCategory.LIMITS_EXCEEDED, "TooManyJobs");
            }
            if (held.compareAndSet(n, n + 1)) {
                return new Slot();
            }
        }
    }

    /** One job's slot: returned once the job has left its session's list and its thread has ended. */
    final class Slot {
        private final AtomicBoolean left = new AtomicBoolean();
        private final AtomicBoolean ended = new AtomicBoolean();
        private final AtomicInteger waiting = new AtomicInteger(2);

        /** The job was removed from its session's list, or the session closed. */
        void left() {
            if (!left.getAndSet(true)) {
                oneDone();
            }
        }

        /** The job's thread has ended (or never started). */
        void ended() {
            if (!ended.getAndSet(true)) {
                oneDone();
            }
        }

        private void oneDone() {
            if (waiting.decrementAndGet() == 0) {
                held.decrementAndGet();
            }
        }
    }
}
