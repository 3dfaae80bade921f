package dev.parvis.shell.runtime;

/** What operators need from the running script: a cancellation/budget checkpoint for long work, and $Matches. */
public interface OperatorContext {
    /** Throws when the run was cancelled or its budget is spent. */
    void checkpoint();

    /** Sets the automatic variable {@code $Matches} after a successful scalar -match. */
    void setMatches(ShellHashtable matches);
}
