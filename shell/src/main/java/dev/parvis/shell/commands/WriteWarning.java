package dev.parvis.shell.commands;

import dev.parvis.shell.command.BoundParameters;
import dev.parvis.shell.command.CommandContext;
import dev.parvis.shell.command.CommandDefinition;
import dev.parvis.shell.command.CommandProcessor;
import dev.parvis.shell.command.CommandSpec;
import dev.parvis.shell.command.ParameterKind;
import dev.parvis.shell.command.ParameterSpec;
import dev.parvis.shell.command.PipelineInput;
import dev.parvis.shell.runtime.Conversions;

/** Write-Warning: shows a warning ("WARNING: ...") unless -WarningAction SilentlyContinue. */
public final class WriteWarning implements CommandDefinition {
    private static final CommandSpec SPEC = CommandSpec.named("Write-Warning")
            .synopsis("Shows a warning message.")
            .description("Shows the message prefixed with WARNING:. The text does not enter the pipeline.")
            .parameter(ParameterSpec.of("Message", ParameterKind.OBJECT, "The warning.").at(0).required()
                    .fromPipeline(PipelineInput.BY_VALUE).remainingArguments())
            .example("Write-Warning 'low memory on host'", "Shows: WARNING: low memory on host")
            .build();

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    public CommandProcessor create(BoundParameters p, CommandContext ctx) {
        return (input, record, out) -> ctx.writeWarning(Conversions.toDisplayString(record.get("Message")));
    }
}
