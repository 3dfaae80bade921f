package dev.parvis.shell.commands;

import dev.parvis.shell.command.BoundParameters;
import dev.parvis.shell.command.CommandContext;
import dev.parvis.shell.command.CommandDefinition;
import dev.parvis.shell.command.CommandProcessor;
import dev.parvis.shell.command.CommandSpec;
import dev.parvis.shell.command.ParameterKind;
import dev.parvis.shell.command.ParameterSpec;
import dev.parvis.shell.command.PipelineInput;

/** Out-Null: discards its input. */
public final class OutNull implements CommandDefinition {
    private static final CommandSpec SPEC = CommandSpec.named("Out-Null")
            .synopsis("Discards the output.")
            .description("Takes the input objects and outputs nothing; the commands before it still run.")
            .parameter(ParameterSpec.of("InputObject", ParameterKind.OBJECT, "The objects to discard.").fromPipeline(PipelineInput.BY_VALUE))
            .example("1..5 | Out-Null", "Nothing is shown.")
            .build();

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    public CommandProcessor create(BoundParameters parameters, CommandContext context) {
        return (input, p, out) -> { };
    }
}
