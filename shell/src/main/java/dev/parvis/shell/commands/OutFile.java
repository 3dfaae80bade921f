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
import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.Limits;
import dev.parvis.shell.runtime.RuntimeError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Out-File: writes the text the objects show as (like the screen) to a file. */
public final class OutFile implements CommandDefinition {
    private static final CommandSpec SPEC = CommandSpec.named("Out-File")
            .synopsis("Writes the output to a text file.")
            .description("Formats the input as the screen would show it and writes the text to the file (replacing it, or "
                    + "at its end with -Append).")
            .parameter(ParameterSpec.of("FilePath", ParameterKind.STRING, "The file to write.").completes(ParameterSpec.COMPLETE_PATH).at(0).required().alias("Path"))
            .parameter(ParameterSpec.of("Append", ParameterKind.SWITCH, "Adds to the end of the file."))
            .parameter(ParameterSpec.of("InputObject", ParameterKind.OBJECT, "The objects to write.").fromPipeline(PipelineInput.BY_VALUE))
            .example("Get-Date | Out-File ([System.IO.Path]::GetTempPath() + 'now.txt')", "Writes the date to now.txt in the temporary directory.")
            .changesState()
            .build();

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    public CommandProcessor create(BoundParameters p, CommandContext ctx) {
        Path path = FileText.path(p.string("FilePath"));
        StringBuilder text = new StringBuilder();
        OutDefault formatter = new OutDefault(ctx.service(FormatViews.class), ctx.service(ShellHost.class).width(), line -> {
            text.append(line).append('\n');
            Limits.checkString(text.length());
        }, ErrorView::format);
        return new CommandProcessor() {
            @Override
            public void process(Object input, BoundParameters record, Pipe out) {
                formatter.write(record.get("InputObject"));
            }

            @Override
            public void end(Pipe out) {
                formatter.end();
                if (!ctx.shouldProcess(path.toString(), "Output to File")) {
                    return;
                }
                try {
                    Files.writeString(path, text, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                            p.flag("Append") ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING);
                } catch (IOException e) {
                    throw new RuntimeError("Cannot write " + path + ": " + e.getMessage(), ErrorCategory.WRITE_ERROR, "WriteError");
                }
            }
        };
    }
}
