package dev.parvis.shell.runtime;

import dev.parvis.shell.syntax.SourceSpan;

/**
 * A statement-terminating error: the statement stops, the error is reported, and the script goes on
 * with the next statement unless a try/catch takes it or the error action is Stop. Raised by
 * expressions, parameter binding and commands; the evaluator adds where it happened and which
 * command failed, once, at the innermost place that knows.
 */
public class RuntimeError extends RuntimeException {
    private ErrorRecord record;

    public RuntimeError(String message, ErrorCategory category, String errorId) {
        this(new ErrorRecord(message, "RuntimeException", category, errorId, null, null, SourceSpan.NONE));
    }

    public RuntimeError(ErrorRecord record) {
        super(record.message(), null, false, false);
        this.record = record;
    }

    public ErrorRecord record() {
        return record;
    }

    /** Sets the position when none is known yet; returns this error. */
    public RuntimeError at(SourceSpan span) {
        if (!record.position().isKnown() && span != null && span.isKnown()) {
            record = record.withPosition(span);
        }
        return this;
    }

    /** Sets the failing command when none is known yet; returns this error. */
    public RuntimeError inCommand(String command) {
        if (record.commandName() == null && command != null) {
            record = record.withCommand(command);
        }
        return this;
    }

    /** An error with an exception type other than RuntimeException (e.g. "VirtualizationException"). */
    public static RuntimeError of(String exceptionType, String message, ErrorCategory category, String errorId, Object target) {
        return new RuntimeError(new ErrorRecord(message, exceptionType, category, errorId, null, target, SourceSpan.NONE));
    }
}
