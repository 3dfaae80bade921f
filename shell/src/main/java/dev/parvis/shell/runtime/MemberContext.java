package dev.parvis.shell.runtime;

import java.util.List;

/** What member access needs from the running script beyond operators: running a script block ({@code .Where({...})}, {@code $sb.Invoke()}). */
public interface MemberContext extends OperatorContext {
    /** Runs {@code block} with {@code $_} = {@code dollarUnder} and {@code $args} = {@code args}; returns its output. */
    List<Object> invoke(ScriptBlock block, Object dollarUnder, List<?> args);

    /** Parses text into a script block ([scriptblock]::Create). */
    ScriptBlock parse(String text);
}
