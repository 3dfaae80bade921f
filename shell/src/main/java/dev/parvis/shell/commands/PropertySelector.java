package dev.parvis.shell.commands;

import dev.parvis.shell.command.CommandContext;
import dev.parvis.shell.runtime.Conversions;
import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.Members;
import dev.parvis.shell.runtime.RuntimeError;
import dev.parvis.shell.runtime.ScriptBlock;
import dev.parvis.shell.runtime.ShellArray;
import dev.parvis.shell.runtime.ShellHashtable;
import dev.parvis.shell.runtime.Wildcard;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The -Property arguments of Select-Object, Sort-Object, Group-Object, Measure-Object and the
 * Format commands: property names (with wildcards), script blocks, and calculated properties
 * ({@code @{Name='GB'; Expression={$_.Size / 1GB}}}, keys n/l/e accepted, plus Descending, Width, Alignment).
 */
final class PropertySelector {
    /** One selected property: its label and how to compute it for an object. */
    record Selected(String label, Function<Object, Object> value, boolean descending, Boolean ascendingKey, Integer width, String alignment) {
    }

    private PropertySelector() {
    }

    static List<Selected> parse(List<Object> specs, CommandContext ctx) {
        List<Selected> out = new ArrayList<>();
        for (Object s : specs) {
            out.add(one(s, ctx));
        }
        return out;
    }

    private static Selected one(Object s, CommandContext ctx) {
        if (s instanceof ScriptBlock block) {
            return new Selected(block.toString().trim(), o -> scalar(ctx.invoke(block, o, List.of())), false, null, null, null);
        }
        if (s instanceof ShellHashtable h) {
            return calculated(h, ctx);
        }
        String name = Conversions.toShortString(s);
        return new Selected(name, o -> Members.get(o, name), false, null, null, null);
    }

    private static Selected calculated(ShellHashtable h, CommandContext ctx) {
        Object label = first(h, "Name", "n", "Label", "l");
        Object expr = first(h, "Expression", "e");
        if (expr == null) {
            throw new RuntimeError("A calculated property needs an Expression (e) key.", ErrorCategory.INVALID_ARGUMENT, "MissingExpression");
        }
        Function<Object, Object> value;
        if (expr instanceof ScriptBlock block) {
            value = o -> scalar(ctx.invoke(block, o, List.of()));
        } else {
            String name = Conversions.toShortString(expr);
            value = o -> Members.get(o, name);
        }
        String text = label != null ? Conversions.toShortString(label) : expr.toString().trim();
        Object desc = first(h, "Descending", "d");
        Object asc = first(h, "Ascending", "a");
        Object width = first(h, "Width", "w");
        Object align = first(h, "Alignment", "align");
        return new Selected(text, value, desc != null && Conversions.toBool(desc), asc == null ? null : Conversions.toBool(asc),
                width == null ? null : Conversions.toInt(width), align == null ? null : Conversions.toShortString(align));
    }

    private static Object first(ShellHashtable h, String... keys) {
        for (String k : keys) {
            if (h.containsKey(k)) {
                return h.get(k);
            }
        }
        return null;
    }

    /** A script block's output as one value: nothing is $null, one object itself, more an array. */
    static Object scalar(List<Object> out) {
        return out.isEmpty() ? null : out.size() == 1 ? out.get(0) : new ShellArray(out);
    }

    /** Expands wildcard names ({@code *}, {@code Mem*}) against the properties of {@code sample}. */
    static List<Selected> expandWildcards(List<Selected> selected, List<Object> specs, Object sample) {
        List<Selected> out = new ArrayList<>();
        for (int i = 0; i < selected.size(); i++) {
            Object spec = specs.get(i);
            if (spec instanceof String name && Wildcard.hasWildcards(name)) {
                for (String p : Members.propertyNames(sample)) {
                    if (Wildcard.matches(name, p, false)) {
                        out.add(new Selected(p, o -> Members.get(o, p), false, null, null, null));
                    }
                }
            } else {
                out.add(selected.get(i));
            }
        }
        return out;
    }
}
