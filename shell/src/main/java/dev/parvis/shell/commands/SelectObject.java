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
import dev.parvis.shell.runtime.Comparison;
import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.Members;
import dev.parvis.shell.runtime.PSObject;
import dev.parvis.shell.runtime.RuntimeError;
import dev.parvis.shell.runtime.Wildcard;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;

/**
 * Select-Object: picks properties (names, wildcards, calculated properties) into new objects, or
 * the first/last/unique objects, or expands one property. With -First it stops the commands before
 * it once it has enough: {@code Get-VM | Select-Object -First 1} does not wait for every VM.
 */
public final class SelectObject implements CommandDefinition {
    private static final CommandSpec SPEC = CommandSpec.named("Select-Object")
            .synopsis("Selects objects or object properties.")
            .description("Outputs new objects with only the given properties (names, wildcards, or calculated properties "
                    + "@{Name='...'; Expression={...}}), or the first, last or unique input objects, or the value of one property "
                    + "(-ExpandProperty). -First stops the commands before it as soon as it has enough objects.")
            .parameter(ParameterSpec.of("Property", ParameterKind.OBJECT_ARRAY, "Properties to keep: names, wildcards or calculated properties.").at(0))
            .parameter(ParameterSpec.of("ExcludeProperty", ParameterKind.STRING_ARRAY, "Properties to leave out (with -Property *)."))
            .parameter(ParameterSpec.of("ExpandProperty", ParameterKind.STRING, "Outputs the value of this property instead of an object."))
            .parameter(ParameterSpec.of("First", ParameterKind.INT, "How many objects to take from the start."))
            .parameter(ParameterSpec.of("Last", ParameterKind.INT, "How many objects to take from the end."))
            .parameter(ParameterSpec.of("Skip", ParameterKind.INT, "How many objects to skip from the start."))
            .parameter(ParameterSpec.of("Unique", ParameterKind.SWITCH, "Leaves out objects equal to one already output."))
            .parameter(ParameterSpec.of("InputObject", ParameterKind.OBJECT, "The objects to select from.").fromPipeline(PipelineInput.BY_VALUE))
            .example("1..1000000 | Select-Object -First 3", "Outputs 1, 2, 3 without producing the rest of the range.")
            .example("[pscustomobject]@{Name='web1'; MemoryMB=512; Notes='x'} | Select-Object Name, @{n='MemoryGB'; e={$_.MemoryMB / 1024}}",
                    "Makes objects with Name and a calculated MemoryGB.")
            .example("[pscustomobject]@{Name='web1'} | Select-Object -ExpandProperty Name", "Outputs the string web1.")
            .example("'b','a','b' | Select-Object -Unique", "Outputs b and a.")
            .outputs("System.Management.Automation.PSCustomObject")
            .build();

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    public CommandProcessor create(BoundParameters p, CommandContext ctx) {
        int first = p.integer("First", -1);
        int last = p.integer("Last", -1);
        int skip = p.integer("Skip", 0);
        if (first < -1 || last < -1 || skip < 0) {
            throw new RuntimeError("-First, -Last and -Skip must not be negative.", ErrorCategory.INVALID_ARGUMENT, "NegativeCount");
        }
        Projection projection = new Projection(p.objects("Property"), p.strings("ExcludeProperty"), p.string("ExpandProperty"), ctx);
        return new Selection(first, last, skip, p.flag("Unique"), projection, ctx);
    }

    /** One run of Select-Object: skips, takes the first objects, keeps the last ones, drops repeats. */
    private static final class Selection implements CommandProcessor {
        private final int first;
        private final int last;
        private final int skip;
        private final boolean unique;
        private final Projection projection;
        private final CommandContext ctx;
        private int seen;
        private int taken;
        /** A list, not an ArrayDeque: pipeline objects may be null. */
        private final Deque<Object> tail = new java.util.LinkedList<>();
        private final List<Object> uniques = new ArrayList<>();

        Selection(int first, int last, int skip, boolean unique, Projection projection, CommandContext ctx) {
            this.first = first;
            this.last = last;
            this.skip = skip;
            this.unique = unique;
            this.projection = projection;
            this.ctx = ctx;
        }

        @Override
        public void process(Object input, BoundParameters record, Pipe out) {
            Object item = record.get("InputObject");
            if (seen++ < skip) {
                return;
            }
            if (first >= 0 && taken >= first) {
                if (last < 0) {
                    ctx.stopUpstream();
                }
            } else if (first >= 0 || last < 0) {
                taken++;
                emit(item, out);
                if (first >= 0 && taken >= first && last < 0) {
                    ctx.stopUpstream();
                }
                return;
            }
            tail.addLast(item);
            if (tail.size() > last) {
                tail.removeFirst();
            }
        }

        @Override
        public void end(Pipe out) {
            tail.forEach(i -> emit(i, out));
            tail.clear();
        }

        private void emit(Object item, Pipe out) {
            for (Object o : projection.apply(item)) {
                if (unique) {
                    if (uniques.stream().anyMatch(u -> same(u, o))) {
                        continue;
                    }
                    uniques.add(o);
                }
                out.write(o);
            }
        }
    }

    private static boolean same(Object a, Object b) {
        if (a instanceof PSObject x && b instanceof PSObject y) {
            List<String> names = x.propertyNames();
            return names.equals(y.propertyNames()) && names.stream().allMatch(n -> Comparison.equal(x.get(n), y.get(n), true));
        }
        return Comparison.equal(a, b, true);
    }

    /** What Select-Object makes of one input object. */
    private static final class Projection {
        private final List<Object> specs;
        private final List<String> exclude;
        private final String expand;
        private final List<PropertySelector.Selected> selected;

        Projection(List<Object> specs, List<String> exclude, String expand, CommandContext ctx) {
            this.specs = specs;
            this.exclude = exclude;
            this.expand = expand;
            this.selected = PropertySelector.parse(specs, ctx);
        }

        List<Object> apply(Object item) {
            if (expand != null) {
                Object v = Members.get(item, expand);
                if (v == null && Members.propertyNames(item).stream().noneMatch(n -> n.equalsIgnoreCase(expand))) {
                    throw new RuntimeError("Property \"" + expand + "\" cannot be found.", ErrorCategory.INVALID_ARGUMENT,
                            "ExpandPropertyNotFound");
                }
                return v instanceof Collection<?> c ? new ArrayList<>(c) : java.util.Collections.singletonList(v);
            }
            if (specs.isEmpty()) {
                return java.util.Collections.singletonList(item);
            }
            String type = item instanceof PSObject o ? "Selected." + o.typeName() : PSObject.CUSTOM_TYPE;
            PSObject out = type.equals(PSObject.CUSTOM_TYPE) ? PSObject.custom() : PSObject.of(type, null);
            for (PropertySelector.Selected s : PropertySelector.expandWildcards(selected, specs, item)) {
                if (exclude.stream().noneMatch(x -> Wildcard.matches(x, s.label(), false))) {
                    out.add(s.label(), s.value().apply(item));
                }
            }
            return List.of(out);
        }
    }
}
