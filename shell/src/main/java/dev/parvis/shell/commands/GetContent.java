package dev.parvis.shell.commands;

import dev.parvis.shell.command.BoundParameters;
import dev.parvis.shell.command.CommandContext;
import dev.parvis.shell.command.CommandDefinition;
import dev.parvis.shell.command.CommandProcessor;
import dev.parvis.shell.command.CommandSpec;
import dev.parvis.shell.command.ParameterKind;
import dev.parvis.shell.command.ParameterSpec;
import dev.parvis.shell.command.PipelineInput;

/** Get-Content: a text file's lines (or its whole text with -Raw). */
public final class GetContent implements CommandDefinition {
    private static final CommandSpec SPEC = CommandSpec.named("Get-Content")
            .synopsis("Gets the lines of a text file.")
            .description("Outputs each line of the file as a string, or the whole text as one string with -Raw; -TotalCount "
                    + "stops after that many lines.")
            .parameter(ParameterSpec.of("Path", ParameterKind.STRING, "The file to read.").completes(ParameterSpec.COMPLETE_PATH).at(0).required()
                    .fromPipeline(PipelineInput.BY_PROPERTY_NAME).alias("FullName"))
            .parameter(ParameterSpec.of("Raw", ParameterKind.SWITCH, "Outputs the text as one string."))
            .parameter(ParameterSpec.of("TotalCount", ParameterKind.INT, "Outputs at most this many lines.").alias("First", "Head"))
            .example("'a','b' | Out-File ([System.IO.Path]::GetTempPath() + 'gc.txt'); Get-Content ([System.IO.Path]::GetTempPath() + 'gc.txt')",
                    "Writes two lines to a file and reads them back.")
            .outputs("System.String")
            .build();

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    public CommandProcessor create(BoundParameters p, CommandContext ctx) {
        return (input, record, out) -> {
            String text = FileText.read(FileText.path(record.string("Path")));
            if (p.flag("Raw")) {
                out.write(text);
                return;
            }
            int max = p.integer("TotalCount", Integer.MAX_VALUE);
            String[] lines = text.split("\r?\n", -1);
            int n = lines.length > 0 && lines[lines.length - 1].isEmpty() ? lines.length - 1 : lines.length;
            for (int i = 0; i < n && i < max; i++) {
                ctx.checkpoint();
                out.write(lines[i]);
            }
        };
    }
}
