package dev.parvis.shell.engine;

import dev.parvis.shell.command.BoundParameters;
import dev.parvis.shell.command.CommandDefinition;
import dev.parvis.shell.command.CommandProcessor;
import dev.parvis.shell.command.ParameterSpec;
import dev.parvis.shell.command.Pipe;
import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.RuntimeError;
import dev.parvis.shell.syntax.SourceSpan;

/**
 * A built-in command in a pipeline: binds each input object to its pipeline parameters and hands it
 * to the command's processor; errors it raises name the command and point at its place in the line.
 */
final class CmdletStage implements Stage {
    private final CommandDefinition definition;
    private final BoundParameters base;
    private final EngineCommandContext context;
    private final SourceSpan span;
    private CommandProcessor processor;

    CmdletStage(CommandDefinition definition, BoundParameters base, EngineCommandContext context, SourceSpan span) {
        this.definition = definition;
        this.base = base;
        this.context = context;
        this.span = span;
    }

    @Override
    public void begin(Pipe out) {
        guarded(() -> {
            processor = definition.create(base, context);
            processor.begin(out);
        });
    }

    @Override
    public void process(Object input, Pipe out) {
        guarded(() -> {
            BoundParameters p;
            if (input == Pipe.NO_INPUT) {
                p = base;
            } else {
                try {
                    p = PipelineBinding.bind(definition.spec(), base, input);
                } catch (RuntimeError e) {
                    context.writeError(e.record());
                    return;
                }
            }
            if (!missingMandatory(p)) {
                processor.process(input, p, out);
            }
        });
    }

    @Override
    public void end(Pipe out) {
        guarded(() -> processor.end(out));
    }

    private boolean missingMandatory(BoundParameters p) {
        for (ParameterSpec s : definition.spec().parameters()) {
            if (s.mandatory() && !p.has(s.name())) {
                throw RuntimeError.of("ParameterBindingException", "Cannot process command because of one or more missing mandatory parameters: "
                        + s.name() + ".", ErrorCategory.INVALID_ARGUMENT, "MissingMandatoryParameter", null);
            }
        }
        return false;
    }

    private void guarded(Runnable r) {
        try {
            r.run();
        } catch (RuntimeError e) {
            throw e.inCommand(definition.spec().name()).at(span);
        }
    }
}
