package dev.parvis.shell.commands;

import dev.parvis.shell.command.BoundParameters;
import dev.parvis.shell.command.CommandContext;
import dev.parvis.shell.command.CommandDefinition;
import dev.parvis.shell.command.CommandProcessor;
import dev.parvis.shell.command.CommandSpec;
import dev.parvis.shell.command.ParameterKind;
import dev.parvis.shell.command.ParameterSpec;
import dev.parvis.shell.command.PipelineInput;
import dev.parvis.shell.format.FormatViews;
import dev.parvis.shell.format.ListWriter;
import java.util.List;

/** Format-List: shows each object as a list of "Name : value" lines (all properties unless -Property). */
public final class FormatList implements CommandDefinition {
    private static final CommandSpec SPEC = CommandSpec.named("Format-List")
            .synopsis("Formats the output as a list of properties.")
            .description("Shows each input object as one line per property, \"Name : value\", with a blank line between "
                    + "objects: the given properties (names, wildcards or calculated properties), or all of them. The output is text.")
            .parameter(ParameterSpec.of("Property", ParameterKind.OBJECT_ARRAY, "The properties to show (default: all).").at(0))
            .parameter(ParameterSpec.of("InputObject", ParameterKind.OBJECT, "The objects to format.").fromPipeline(PipelineInput.BY_VALUE))
            .example("[pscustomobject]@{Name='web1'; State='Running'} | Format-List", "Name : web1 and State : Running on two lines.")
            .example("[pscustomobject]@{Name='web1'; MemoryMB=512} | Format-List Name, @{n='GB'; e={$_.MemoryMB / 1024}}",
                    "Name and the calculated GB.")
            .outputs("System.String")
            .build();

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    public CommandProcessor create(BoundParameters p, CommandContext ctx) {
        List<Object> specs = p.objects("Property");
        List<PropertySelector.Selected> selected = PropertySelector.parse(specs, ctx);
        return (input, record, out) -> {
            Object item = record.get("InputObject");
            var columns = specs.isEmpty() ? FormatViews.allProperties(item)
                    : FormatTable.columns(PropertySelector.expandWildcards(selected, specs, item));
            if (columns.isEmpty()) {
                out.write(dev.parvis.shell.runtime.Conversions.toShortString(item));
                return;
            }
            new ListWriter(out::write).add(item, columns);
        };
    }
}
