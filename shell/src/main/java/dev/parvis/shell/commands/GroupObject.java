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
import dev.parvis.shell.runtime.Limits;
import dev.parvis.shell.runtime.PSObject;
import dev.parvis.shell.runtime.ShellArray;
import dev.parvis.shell.runtime.ShellHashtable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Group-Object: groups the input by property values (groups in order of first appearance). */
public final class GroupObject implements CommandDefinition {
    public static final String GROUP_TYPE = "Microsoft.PowerShell.Commands.GroupInfo";
    private static final CommandSpec SPEC = CommandSpec.named("Group-Object")
            .synopsis("Groups objects that have the same value for the given properties.")
            .description("Outputs one GroupInfo object per distinct value (Count, Name, Group), in the order the values first "
                    + "appear; with -AsHashTable a hashtable from value to the objects instead.")
            .parameter(ParameterSpec.of("Property", ParameterKind.OBJECT_ARRAY, "The properties to group by.").at(0))
            .parameter(ParameterSpec.of("NoElement", ParameterKind.SWITCH, "Leaves the Group property out."))
            .parameter(ParameterSpec.of("AsHashTable", ParameterKind.SWITCH, "Outputs one hashtable: value -> objects."))
            .parameter(ParameterSpec.of("CaseSensitive", ParameterKind.SWITCH, "Groups strings case-sensitively."))
            .parameter(ParameterSpec.of("InputObject", ParameterKind.OBJECT, "The objects to group.").fromPipeline(PipelineInput.BY_VALUE))
            .example("'a','b','a' | Group-Object", "Two groups: a (Count 2) and b (Count 1).")
            .example("1..10 | Group-Object { $_ % 2 } -NoElement", "Counts odd and even numbers: 1 and 0, 5 each.")
            .outputs(GROUP_TYPE)
            .build();

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    public CommandProcessor create(BoundParameters p, CommandContext ctx) {
        List<PropertySelector.Selected> keys = PropertySelector.parse(p.objects("Property"), ctx);
        return new Grouping(keys, p.flag("CaseSensitive"), p.flag("AsHashTable"), p.flag("NoElement"));
    }

    /** One run of Group-Object: collects the input by group name, outputs the groups at the end. */
    private static final class Grouping implements CommandProcessor {
        private final List<PropertySelector.Selected> keys;
        private final boolean cs;
        private final boolean asHashTable;
        private final boolean noElement;
        private final Map<String, List<Object>> groups = new LinkedHashMap<>();
        private final Map<String, String> names = new LinkedHashMap<>();
        private int count;

        Grouping(List<PropertySelector.Selected> keys, boolean cs, boolean asHashTable, boolean noElement) {
            this.keys = keys;
            this.cs = cs;
            this.asHashTable = asHashTable;
            this.noElement = noElement;
        }

        @Override
        public void process(Object input, BoundParameters record, Pipe out) {
            Limits.checkElements(++count);
            Object item = record.get("InputObject");
            String name = name(item);
            String key = cs ? name : name.toLowerCase(Locale.ROOT);
            names.putIfAbsent(key, name);
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(item);
        }

        private String name(Object item) {
            if (keys.isEmpty()) {
                return Conversions.toShortString(item);
            }
            List<String> parts = new ArrayList<>();
            keys.forEach(k -> parts.add(Conversions.toDisplayString(k.value().apply(item))));
            return String.join(", ", parts);
        }

        @Override
        public void end(Pipe out) {
            if (asHashTable) {
                ShellHashtable h = new ShellHashtable();
                groups.forEach((k, v) -> h.put(names.get(k), new ShellArray(v)));
                out.write(h);
                return;
            }
            groups.forEach((k, v) -> {
                PSObject g = PSObject.of(GROUP_TYPE, null).add("Count", v.size()).add("Name", names.get(k));
                if (!noElement) {
                    g.add("Group", new ShellArray(v));
                }
                out.write(g);
            });
        }
    }
}
