package dev.parvis.shell.command;

import dev.parvis.shell.runtime.Conversions;
import dev.parvis.shell.runtime.ScriptBlock;
import dev.parvis.shell.runtime.ShellHashtable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parameter values bound for one invocation (or one pipeline object), converted to each parameter's
 * kind, keyed by the parameter's declared name without regard to case.
 */
public final class BoundParameters {
    private final Map<String, Object> values;

    public BoundParameters(Map<String, Object> values) {
        this.values = new LinkedHashMap<>();
        values.forEach((k, v) -> this.values.put(k.toLowerCase(Locale.ROOT), v));
    }

    public static BoundParameters empty() {
        return new BoundParameters(Map.of());
    }

    /** These values plus {@code more} (which win). */
    public BoundParameters with(Map<String, Object> more) {
        BoundParameters b = new BoundParameters(Map.of());
        b.values.putAll(values);
        more.forEach((k, v) -> b.values.put(k.toLowerCase(Locale.ROOT), v));
        return b;
    }

    public boolean has(String name) {
        return values.containsKey(name.toLowerCase(Locale.ROOT));
    }

    public Object get(String name) {
        return values.get(name.toLowerCase(Locale.ROOT));
    }

    public boolean flag(String name) {
        Object v = get(name);
        return v != null && Conversions.toBool(v);
    }

    public String string(String name) {
        Object v = get(name);
        return v == null ? null : Conversions.toShortString(v);
    }

    public String string(String name, String otherwise) {
        String s = string(name);
        return s == null ? otherwise : s;
    }

    public List<String> strings(String name) {
        Object v = get(name);
        if (v == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Object o : list(v)) {
            out.add(Conversions.toShortString(o));
        }
        return out;
    }

    /** A value that may be one object or several, as a list. */
    public List<Object> objects(String name) {
        Object v = get(name);
        return v == null ? List.of() : list(v);
    }

    public int integer(String name, int otherwise) {
        Object v = get(name);
        return v == null ? otherwise : Conversions.toInt(v);
    }

    public long longValue(String name, long otherwise) {
        Object v = get(name);
        return v == null ? otherwise : Conversions.toLong(v);
    }

    public ScriptBlock scriptBlock(String name) {
        return (ScriptBlock) get(name);
    }

    public ShellHashtable hashtable(String name) {
        return (ShellHashtable) get(name);
    }

    /** The names bound, as declared (lower case). */
    public List<String> names() {
        return List.copyOf(values.keySet());
    }

    private static List<Object> list(Object v) {
        if (v instanceof Collection<?> c) {
            return new ArrayList<>(c);
        }
        return Collections.singletonList(v);
    }
}
