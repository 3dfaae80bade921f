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
import java.util.Collection;

/** Write-Output: sends objects down the pipeline (collections one element at a time unless -NoEnumerate). */
public final class WriteOutput implements CommandDefinition {
    private static final CommandSpec SPEC = CommandSpec.named("Write-Output")
            .synopsis("Sends objects to the next command in the pipeline.")
            .description("Writes each object to the pipeline. At the end of a pipeline the objects are shown. Collections are "
                    + "sent one element at a time unless -NoEnumerate is given.")
            .parameter(ParameterSpec.of("InputObject", ParameterKind.OBJECT, "The objects to send.").at(0).required()
                    .fromPipeline(PipelineInput.BY_VALUE).remainingArguments())
            .parameter(ParameterSpec.of("NoEnumerate", ParameterKind.SWITCH, "Sends a collection as one object."))
            .example("Write-Output 'hello'", "Writes the string hello.")
            .example("Write-Output 1,2,3 | Measure-Object", "Sends three numbers down the pipeline; Measure-Object counts 3.")
            .outputs("System.Object")
            .build();

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    public CommandProcessor create(BoundParameters parameters, CommandContext context) {
        boolean noEnumerate = parameters.flag("NoEnumerate");
        return (input, p, out) -> write(p.get("InputObject"), noEnumerate, out);
    }

    private static void write(Object v, boolean noEnumerate, Pipe out) {
        if (v instanceof Collection<?> c && !noEnumerate) {
            c.forEach(out::write);
        } else {
            out.write(v);
        }
    }
}
