package dev.parvis.shell.engine;

import dev.parvis.shell.syntax.SourceSpan;

/**
 * One evaluated argument of a call to a function or script: {@code -Name value} (named, with a
 * value), {@code -Force} (named, no value) or a positional value.
 */
record InvocationArgument(String name, Object value, boolean hasValue, SourceSpan span) {
    static InvocationArgument positional(Object value, SourceSpan span) {
        return new InvocationArgument(null, value, true, span);
    }

    boolean isNamed() {
        return name != null;
    }
}
