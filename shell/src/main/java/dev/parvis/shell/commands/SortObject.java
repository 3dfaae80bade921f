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
import dev.parvis.shell.runtime.Comparison;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Sort-Object: sorts the input by properties (or the objects themselves), stable, ascending unless -Descending. */
public final class SortObject implements CommandDefinition {
    private static final CommandSpec SPEC = CommandSpec.named("Sort-Object")
            .synopsis("Sorts objects by property values.")
            .description("Collects the input and outputs it sorted by the given properties (names, script blocks or "
                    + "@{Expression=...; Descending=$true}), or by the objects' own values. Strings sort without regard to case "
                    + "unless -CaseSensitive. The sort is stable.")
            .parameter(ParameterSpec.of("Property", ParameterKind.OBJECT_ARRAY, "The properties to sort by, in order of importance.").at(0))
            .parameter(ParameterSpec.of("Descending", ParameterKind.SWITCH, "Sorts from largest to smallest."))
            .parameter(ParameterSpec.of("Unique", ParameterKind.SWITCH, "Outputs only one of each set of equal objects."))
            .parameter(ParameterSpec.of("CaseSensitive", ParameterKind.SWITCH, "Sorts strings case-sensitively."))
            .parameter(ParameterSpec.of("InputObject", ParameterKind.OBJECT, "The objects to sort.").fromPipeline(PipelineInput.BY_VALUE))
            .example("3,1,2 | Sort-Object", "Outputs 1, 2, 3.")
            .example("3,1,2 | Sort-Object -Descending", "Outputs 3, 2, 1.")
            .example("@([pscustomobject]@{Name='b'; Mem=2}, [pscustomobject]@{Name='a'; Mem=2}, [pscustomobject]@{Name='c'; Mem=1}) | "
                    + "Sort-Object @{e='Mem'; Descending=$true}, Name", "Sorts by Mem descending, then by Name.")
            .outputs("System.Object")
            .build();

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    public CommandProcessor create(BoundParameters p, CommandContext ctx) {
        List<PropertySelector.Selected> keys = PropertySelector.parse(p.objects("Property"), ctx);
        boolean descending = p.flag("Descending");
        boolean cs = p.flag("CaseSensitive");
        boolean unique = p.flag("Unique");
        return new WholeInput((items, out) -> {
            List<Object[]> rows = new ArrayList<>();
            for (Object o : items) {
                ctx.checkpoint();
                Object[] row = new Object[keys.size() + 1];
                row[0] = o;
                for (int i = 0; i < keys.size(); i++) {
                    row[i + 1] = keys.get(i).value().apply(o);
                }
                rows.add(row);
            }
            Comparator<Object[]> order = comparator(keys, descending, cs);
            rows.sort(order);
            Object[] previous = null;
            for (Object[] row : rows) {
                if (unique && previous != null && order.compare(previous, row) == 0) {
                    continue;
                }
                out.write(row[0]);
                previous = row;
            }
        });
    }

    private static Comparator<Object[]> comparator(List<PropertySelector.Selected> keys, boolean descending, boolean cs) {
        if (keys.isEmpty()) {
            Comparator<Object[]> c = (a, b) -> Comparison.sortOrder(a[0], b[0], cs);
            return descending ? c.reversed() : c;
        }
        Comparator<Object[]> c = (a, b) -> 0;
        for (int i = 0; i < keys.size(); i++) {
            int k = i + 1;
            PropertySelector.Selected key = keys.get(i);
            boolean down = key.ascendingKey() != null ? !key.ascendingKey() : key.descending() || descending;
            Comparator<Object[]> one = (a, b) -> Comparison.sortOrder(a[k], b[k], cs);
            c = c.thenComparing(down ? one.reversed() : one);
        }
        return c;
    }
}
