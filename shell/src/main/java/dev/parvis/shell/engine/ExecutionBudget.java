package dev.parvis.shell.engine;

import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.RuntimeError;
import java.util.concurrent.locks.LockSupport;

/**
 * Bounds one run of the shell: Ctrl-C (a flag another thread sets), an optional number of
 * evaluation steps (statements, loop iterations, pipeline objects; for untrusted scripts), and the
 * depth of nested calls, so a hostile script ends with an error instead of hanging or overflowing
 * the stack.
 */
public final class ExecutionBudget {
    /** Deepest function/script call nesting. */
    public static final int MAX_CALL_DEPTH = 100;
    /** How often a script on a virtual thread steps aside for others (a power of two). */
    static final long YIELD_EVERY_STEPS = 1024;

    private final long maxSteps;
    private volatile boolean cancelled;
    private long steps;
    private int depth;

    /** {@code maxSteps} of 0 means no step limit. */
    public ExecutionBudget(long maxSteps) {
        this.maxSteps = maxSteps <= 0 ? Long.MAX_VALUE : maxSteps;
    }

    /** Stops the running pipeline at its next step (Ctrl-C); called from any thread. */
    public void cancel() {
        cancelled = true;
    }

    public boolean isCancelled() {
        return cancelled;
    }

    /** Clears a cancellation and the step count before the next run. */
    void reset() {
        cancelled = false;
        steps = 0;
        depth = 0;
    }

    void step() {
        checkCancelled();
        if (++steps > maxSteps) {
            throw new PipelineStoppedException("The script exceeded its evaluation limit of " + maxSteps + " steps.", true);
        }
        if ((steps & YIELD_EVERY_STEPS - 1) == 0 && Thread.currentThread().isVirtual()) {
            // Virtual threads are not preempted: a script that computes without blocking (a background
            // job's while (1) { }) steps aside for the others. Not Thread.yield: that puts it back on its
            // carrier's own queue, which the carrier serves before new threads, so two spinning jobs on
            // two carriers kept a third job from ever starting; a timed park comes back through the
            // scheduler's shared queue, behind whatever waited.
            LockSupport.parkNanos(1);
        }
    }

    /** Throws when a cancel (Ctrl-C) stopped the run; also the checkpoint of a parse, which takes no steps. */
    void checkCancelled() {
        if (cancelled) {
            throw new PipelineStoppedException("The pipeline has been stopped.", false);
        }
    }

    void enterCall() {
        if (++depth > MAX_CALL_DEPTH) {
            depth--;
            throw new RuntimeError("The script failed due to call depth overflow (more than " + MAX_CALL_DEPTH + " nested calls).",
                    ErrorCategory.LIMITS_EXCEEDED, "CallDepthOverflow");
        }
    }

    void exitCall() {
        depth--;
    }
}
