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
            for (ParameterSpec s : definition.spec().parameters()) {
                if (s.mandatory() && s.pipeline() == dev.parvis.shell.command.PipelineInput.NONE && !base.has(s.name())) {
                    throw missing(s);
                }
                if (s.mandatory() && base.has(s.name()) && base.get(s.name()) == null) {
                    throw RuntimeError.of("ParameterBindingException", "Cannot bind argument to parameter '" + s.name() + "' because it is null.",
                            ErrorCategory.INVALID_DATA, "ParameterArgumentValidationErrorNullNotAllowed", null);
                }
            }
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
                throw missing(s);
            }
        }
        return false;
    }

    private static RuntimeError missing(ParameterSpec s) {
        return RuntimeError.of("ParameterBindingException", "Cannot process command because of one or more missing mandatory parameters: "
                + s.name() + ".", ErrorCategory.INVALID_ARGUMENT, "MissingMandatoryParameter", null);
    }

    /**
     * Runs the command's code: its errors get the command's name and place; any other exception is a
     * bug in the command, counted and reported as an error of this statement so the session goes on.
     */
    private void guarded(Runnable r) {
        try {
            r.run();
        } catch (RuntimeError e) {
            throw e.inCommand(definition.spec().name()).at(span);
        } catch (StopUpstream | ControlFlow | PipelineStoppedException e) {
            throw e;
        } catch (RuntimeException e) {
            throw context.internalError(e).inCommand(definition.spec().name()).at(span);
        }
    }
}
