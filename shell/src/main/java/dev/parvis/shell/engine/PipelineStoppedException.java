package dev.parvis.shell.engine;

/**
 * The running pipeline was stopped from outside: Ctrl-C, or its evaluation budget ran out. Not a
 * script error (try/catch does not take it); finally blocks run and the prompt comes back.
 */
public final class PipelineStoppedException extends RuntimeException {
    private final boolean budget;

    PipelineStoppedException(String message, boolean budget) {
        super(message, null, false, false);
        this.budget = budget;
    }

    /** True when the budget ran out, false for a cancellation. */
    public boolean budgetExceeded() {
        return budget;
    }
}
