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
import dev.parvis.shell.runtime.Conversions;
import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.Limits;
import dev.parvis.shell.runtime.RuntimeError;
import java.io.IOException;
import java.util.Collection;

/** ConvertFrom-Json: parses JSON text into objects (PSCustomObjects, or hashtables with -AsHashtable). */
public final class ConvertFromJson implements CommandDefinition {
    private static final CommandSpec SPEC = CommandSpec.named("ConvertFrom-Json")
            .synopsis("Converts JSON text to objects.")
            .description("Parses the input text (several piped strings are joined with line breaks) as JSON. Objects become "
                    + "custom objects with those properties, or hashtables with -AsHashtable; a top-level array is output one "
                    + "element at a time unless -NoEnumerate. Documents nested deeper than 100 levels are refused.")
            .parameter(ParameterSpec.of("InputObject", ParameterKind.STRING, "The JSON text.").at(0).fromPipeline(PipelineInput.BY_VALUE))
            .parameter(ParameterSpec.of("AsHashtable", ParameterKind.SWITCH, "Makes hashtables instead of custom objects."))
            .parameter(ParameterSpec.of("NoEnumerate", ParameterKind.SWITCH, "Outputs a top-level array as one object."))
            .example("'{\"Name\":\"web1\",\"MemoryMB\":512}' | ConvertFrom-Json", "An object with Name web1 and MemoryMB 512.")
            .example("('[1,2,3]' | ConvertFrom-Json | Measure-Object -Sum).Sum", "Outputs 6.")
            .outputs("System.Management.Automation.PSCustomObject")
            .build();

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    public CommandProcessor create(BoundParameters p, CommandContext ctx) {
        return new CommandProcessor() {
            private final StringBuilder text = new StringBuilder();

            @Override
            public void process(Object input, BoundParameters record, Pipe out) {
                String s = record.string("InputObject");
                if (s != null) {
                    text.append(text.isEmpty() ? "" : "\n").append(s);
                    Limits.checkString(text.length());
                }
            }

            @Override
            public void end(Pipe out) {
                if (text.toString().isBlank()) {
                    return;
                }
                Object value;
                try {
                    value = JsonValues.toValue(JsonValues.parse(text.toString()), p.flag("AsHashtable"));
                } catch (IOException e) {
                    throw RuntimeError.of("ArgumentException", "Conversion from JSON failed with error: " + firstLine(e.getMessage()),
                            ErrorCategory.PARSER_ERROR, "System.ArgumentException", Conversions.toShortString(abbrev(text)));
                }
                if (value instanceof Collection<?> c && !p.flag("NoEnumerate")) {
                    c.forEach(out::write);
                } else {
                    out.write(value);
                }
            }
        };
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "invalid JSON";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static String abbrev(CharSequence s) {
        return s.length() > 60 ? s.subSequence(0, 57) + "..." : s.toString();
    }
}
