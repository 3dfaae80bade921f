package dev.parvis.shell.command;

import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.ErrorRecord;
import dev.parvis.shell.runtime.ScriptBlock;
import java.util.List;

/**
 * What a running command may do besides writing output: report errors and warnings, ask whether to
 * go ahead (-WhatIf / -Confirm), run script blocks in its caller's scope, reach the host and the
 * session's services, and check for Ctrl-C during long work.
 */
public interface CommandContext {
    String commandName();

    /** A non-terminating error: reported (per -ErrorAction), and the command goes on with its next object. */
    void writeError(ErrorRecord error);

    /** A non-terminating error about {@code target}, with this command's name. */
    default void writeError(String message, ErrorCategory category, String errorId, Object target) {
        writeError(new ErrorRecord(message, "RuntimeException", category, errorId, commandName(), target, null));
    }

    void writeWarning(String message);

    /** Text for the user (Write-Host), not pipeline output. */
    void writeHost(String text);

    /**
     * Whether to perform {@code action} on {@code target}: false under -WhatIf (after saying what would
     * happen), asks under -Confirm (and by default for high-impact commands without -Force).
     */
    boolean shouldProcess(String target, String action);

    /**
     * Asks a yes/no question that -Confirm does not cover (Stop-VM: "turn it off instead?"): true
     * for yes. Without a person to ask, it fails with {@code unattended} as the error message.
     */
    boolean shouldContinue(String question, String unattended);

    /** Shows the progress of a long operation on the host (a bar at the prompt); {@code done} removes it. */
    void progress(String activity, String status, int percent, boolean done);

    /** Runs {@code block} in the caller's scope with {@code $_} set; returns its output. */
    List<Object> invoke(ScriptBlock block, Object dollarUnder, List<?> args);

    /** Runs {@code block} in the caller's scope with {@code $_} set, streaming its output to {@code out}. */
    void invokeTo(ScriptBlock block, Object dollarUnder, Pipe out);

    /**
     * Tells the pipeline this command wants no more input (Select-Object -First): does not return;
     * the commands before it stop and the ones after it finish.
     */
    void stopUpstream();

    /** Throws when the user pressed Ctrl-C or the run's budget is spent; call it in long loops and waits. */
    void checkpoint();

    /** The session's service of type {@code type} (the host UI, the command table, the VM connection, jobs). */
    <T> T service(Class<T> type);

    Object variable(String name);

    void setVariable(String name, Object value);
}
