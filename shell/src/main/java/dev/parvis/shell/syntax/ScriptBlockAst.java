package dev.parvis.shell.syntax;

import java.util.List;

/**
 * The body of a script, a script block or a function: its parameters and its begin, process and end
 * blocks. A body written without named blocks is all {@code end} (PowerShell's rule); a filter's is
 * all {@code process}.
 */
public record ScriptBlockAst(SourceSpan span, List<ParameterAst> parameters, boolean hasParamBlock,
                             List<Statement> begin, List<Statement> process, List<Statement> end) {
    public ScriptBlockAst {
        parameters = List.copyOf(parameters);
        begin = List.copyOf(begin);
        process = List.copyOf(process);
        end = List.copyOf(end);
    }

    /** The same body with its statements moved to the process block (a filter). */
    public ScriptBlockAst asFilter() {
        return begin.isEmpty() && process.isEmpty()
                ? new ScriptBlockAst(span, parameters, hasParamBlock, List.of(), end, List.of()) : this;
    }
}
