package dev.parvis.shell.commands;

import dev.parvis.shell.command.BoundParameters;
import dev.parvis.shell.command.CommandContext;
import dev.parvis.shell.command.CommandDefinition;
import dev.parvis.shell.command.CommandProcessor;
import dev.parvis.shell.command.CommandSpec;
import dev.parvis.shell.command.ParameterKind;
import dev.parvis.shell.command.ParameterSpec;
import dev.parvis.shell.command.PipelineInput;
import dev.parvis.shell.command.WholeInput;
import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.Limits;
import dev.parvis.shell.runtime.RuntimeError;
import java.io.IOException;
import java.io.StringWriter;

/** ConvertTo-Json: the input as a JSON document (one object, or an array of several). */
public final class ConvertToJson implements CommandDefinition {
    private static final CommandSpec SPEC = CommandSpec.named("ConvertTo-Json")
            .synopsis("Converts objects to JSON.")
            .description("Writes the input as JSON: objects and hashtables as JSON objects with their property names, "
                    + "collections as arrays, several input objects as one array. Values nested deeper than -Depth (default 2) "
                    + "are written as their text, with a warning. Enumeration values are numbers unless -EnumsAsStrings.")
            .parameter(ParameterSpec.of("InputObject", ParameterKind.OBJECT, "The objects to convert.").at(0).fromPipeline(PipelineInput.BY_VALUE))
            .parameter(ParameterSpec.of("Depth", ParameterKind.INT, "How many levels of contained objects to include (default 2, at most 100)."))
            .parameter(ParameterSpec.of("Compress", ParameterKind.SWITCH, "Leaves out whitespace and line breaks."))
            .parameter(ParameterSpec.of("AsArray", ParameterKind.SWITCH, "Writes an array even for one object."))
            .parameter(ParameterSpec.of("EnumsAsStrings", ParameterKind.SWITCH, "Writes enumeration values by name."))
            .example("[pscustomobject]@{Name='web1'; MemoryMB=512} | ConvertTo-Json -Compress", "{\"Name\":\"web1\",\"MemoryMB\":512}")
            .example("@{a=1; b=@(1,2)} | ConvertTo-Json", "A JSON object with a number and an array.")
            .outputs("System.String")
            .build();

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    public CommandProcessor create(BoundParameters p, CommandContext ctx) {
        int depth = p.integer("Depth", 2);
        if (depth < 0 || depth > JsonValues.MAX_PARSE_DEPTH) {
            throw new RuntimeError("-Depth must be between 0 and " + JsonValues.MAX_PARSE_DEPTH + ".", ErrorCategory.INVALID_ARGUMENT, "BadDepth");
        }
        return new WholeInput((items, out) -> {
            if (items.isEmpty()) {
                return;
            }
            Object value = items.size() == 1 && !p.flag("AsArray") ? items.get(0) : items;
            StringWriter w = new StringWriter();
            try {
                if (JsonValues.write(value, depth, p.flag("Compress"), p.flag("EnumsAsStrings"), w)) {
                    ctx.writeWarning("Resulting JSON is truncated as serialization has exceeded the set depth of " + depth + ".");
                }
            } catch (IOException e) {
                throw new RuntimeError("Could not write JSON: " + e.getMessage(), ErrorCategory.WRITE_ERROR, "JsonWriteError");
            }
            Limits.checkString(w.getBuffer().length());
            out.write(w.toString());
        });
    }
}
