package dev.parvis.shell.syntax;

import java.util.List;

/** One element of a pipeline: a command or (first element only) an expression. */
public sealed interface PipelineElement {
    SourceSpan span();

    record ExpressionElement(SourceSpan span, Expression expression) implements PipelineElement {
    }

    /**
     * A command invocation. {@code name} is the command name as written (for {@code Get-VM}, a
     * constant), or the invoked expression after {@code &} / {@code .}; {@code dotSourced} runs it in
     * the caller's scope.
     */
    record Command(SourceSpan span, Expression name, boolean invoked, boolean dotSourced, List<CommandElement> elements)
            implements PipelineElement {
        public Command {
            elements = List.copyOf(elements);
        }

        /** The command name when it was written as a name, else null. */
        public String literalName() {
            return !invoked && name instanceof Expression.Constant c ? String.valueOf(c.value()) : null;
        }
    }

    /** A parameter or an argument of a command. */
    sealed interface CommandElement {
        SourceSpan span();
    }

    /** {@code -Name}, or {@code -Name:value} when {@code argument} is not null. */
    record Parameter(SourceSpan span, String name, Expression argument) implements CommandElement {
    }

    record Argument(SourceSpan span, Expression value) implements CommandElement {
    }
}
