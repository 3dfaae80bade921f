package dev.parvis.shell.commands;

import dev.parvis.shell.command.BoundParameters;
import dev.parvis.shell.command.CommandContext;
import dev.parvis.shell.command.CommandDefinition;
import dev.parvis.shell.command.CommandProcessor;
import dev.parvis.shell.command.CommandSpec;
import dev.parvis.shell.command.ParameterKind;
import dev.parvis.shell.command.ParameterSpec;
import dev.parvis.shell.command.PipelineInput;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test-Path: whether a file or directory exists. */
public final class TestPath implements CommandDefinition {
    private static final CommandSpec SPEC = CommandSpec.named("Test-Path")
            .synopsis("Tells whether a path exists.")
            .description("Outputs True when the file or directory exists, else False; -PathType Leaf or Container asks for a file or a directory.")
            .parameter(ParameterSpec.of("Path", ParameterKind.STRING, "The path to test.").completes(ParameterSpec.COMPLETE_PATH).at(0).required().fromPipeline(PipelineInput.BY_VALUE))
            .parameter(ParameterSpec.of("PathType", ParameterKind.CHOICE, "What the path must be.").choices("Any", "Leaf", "Container"))
            .example("Test-Path ([System.IO.Path]::GetTempPath())", "True: the temporary directory exists.")
            .outputs("System.Boolean")
            .build();

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    public CommandProcessor create(BoundParameters p, CommandContext ctx) {
        String type = p.string("PathType", "Any");
        return (input, record, out) -> {
            Path path = FileText.path(record.string("Path"));
            out.write(switch (type) {
                case "Leaf" -> Files.isRegularFile(path);
                case "Container" -> Files.isDirectory(path);
                default -> Files.exists(path);
            });
        };
    }
}
