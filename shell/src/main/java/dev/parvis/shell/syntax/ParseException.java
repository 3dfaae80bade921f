package dev.parvis.shell.syntax;

/**
 * A script that cannot be parsed: the message says what is wrong in PowerShell's words, the span
 * points at the offending token, and {@link #incomplete()} tells an interactive prompt that more
 * input could complete it (an open bracket, string or block, a trailing '|').
 */
public final class ParseException extends RuntimeException {
    private final SourceSpan span;
    private final boolean incomplete;

    public ParseException(String message, SourceSpan span, boolean incomplete) {
        super(message, null, false, false);
        this.span = span;
        this.incomplete = incomplete;
    }

    public SourceSpan span() {
        return span;
    }

    public boolean incomplete() {
        return incomplete;
    }
}
