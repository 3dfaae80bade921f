package dev.parvis.shell.runtime;

/**
 * An error that stops the whole script (or the typed line) unless a try/catch takes it: {@code throw},
 * and any error under the Stop error action.
 */
public final class ScriptTerminatingError extends RuntimeError {
    public ScriptTerminatingError(ErrorRecord record) {
        super(record);
    }
}
