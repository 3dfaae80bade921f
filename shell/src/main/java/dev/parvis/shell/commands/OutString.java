package dev.parvis.shell.commands;

import dev.parvis.shell.command.BoundParameters;
import dev.parvis.shell.command.CommandContext;
import dev.parvis.shell.command.CommandDefinition;
import dev.parvis.shell.command.CommandProcessor;
import dev.parvis.shell.command.CommandSpec;
import dev.parvis.shell.command.ParameterKind;
import dev.parvis.shell.command.ParameterSpec;
import dev.parvis.shell.command.Pipe;
import dev.parvis.shell.command.PipelineInput;
import dev.parvis.shell.engine.ErrorView;
import dev.parvis.shell.engine.ShellHost;
import dev.parvis.shell.format.FormatViews;
import dev.parvis.shell.format.OutDefault;
import dev.parvis.shell.runtime.Limits;

/** Out-String: the text the objects would show as on screen, as one string (or one string per line with -Stream). */
public final class OutString implements CommandDefinition {
    private static final CommandSpec SPEC = CommandSpec.named("Out-String")
            .synopsis("Converts objects to the text they show as.")
            .description("Formats the input as the screen would show it and outputs the text as one string, or one string per "
                    + "line with -Stream.")
            .parameter(ParameterSpec.of("Stream", ParameterKind.SWITCH, "Outputs each line as it is formatted."))
            .parameter(ParameterSpec.of("Width", ParameterKind.INT, "Characters per line (default: the screen's)."))
            .parameter(ParameterSpec.of("InputObject", ParameterKind.OBJECT, "The objects to convert.").fromPipeline(PipelineInput.BY_VALUE))
            .example("[pscustomobject]@{Name='web1'} | Out-String", "The table as a single string.")
            .example("1..3 | Out-String -Stream", "Three strings: 1, 2 and 3.")
            .outputs("System.String")
            .build();

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    public CommandProcessor create(BoundParameters p, CommandContext ctx) {
        int width = p.integer("Width", ctx.service(ShellHost.class).width());
        if (width < 10 || width > 10_000) {
            throw new dev.parvis.shell.runtime.RuntimeError("-Width must be between 10 and 10000.",
                    dev.parvis.shell.runtime.ErrorCategory.INVALID_ARGUMENT, "BadWidth");
        }
        boolean stream = p.flag("Stream");
        StringBuilder text = new StringBuilder();
        Pipe[] downstream = new Pipe[1];
        OutDefault formatter = new OutDefault(ctx.service(FormatViews.class), width, line -> {
            if (stream) {
                downstream[0].write(line);
            } else {
                text.append(line).append('\n');
                Limits.checkString(text.length());
            }
        }, ErrorView::format);
        return new CommandProcessor() {
            @Override
            public void process(Object input, BoundParameters record, Pipe out) {
                downstream[0] = out;
                formatter.write(record.get("InputObject"));
            }

            @Override
            public void end(Pipe out) {
                downstream[0] = out;
                formatter.end();
                if (!stream) {
                    out.write(text.toString());
                }
            }
        };
    }
}
