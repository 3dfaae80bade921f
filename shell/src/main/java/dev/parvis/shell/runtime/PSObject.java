package dev.parvis.shell.runtime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An object of named properties: {@code [pscustomobject]@{...}}, Select-Object's output, and the
 * objects the Hyper-V commands return ({@code Microsoft.HyperV.PowerShell.VirtualMachine}). Property
 * names keep their spelling and order and are looked up without regard to case. The type names,
 * most specific first, choose how the object is formatted and what Get-Member shows.
 */
public final class PSObject {
    public static final String CUSTOM_TYPE = "System.Management.Automation.PSCustomObject";

    private record Property(String name, Object value) {
    }

    private final List<String> typeNames;
    private final LinkedHashMap<String, Property> properties = new LinkedHashMap<>();
    private final String display;

    private PSObject(List<String> typeNames, String display) {
        this.typeNames = List.copyOf(typeNames);
        this.display = display;
    }

    /** A custom object ({@code [pscustomobject]}) with no properties yet. */
    public static PSObject custom() {
        return new PSObject(List.of(CUSTOM_TYPE), null);
    }

    /** An object of type {@code typeName}; {@code display} is what ToString() says (null: the property list). */
    public static PSObject of(String typeName, String display) {
        return new PSObject(List.of(typeName, CUSTOM_TYPE), display);
    }

    /** Adds (or replaces) a property; returns this object. */
    public PSObject add(String name, Object value) {
        String key = name.toLowerCase(Locale.ROOT);
        Property old = properties.get(key);
        if (old == null) {
            Limits.checkElements(properties.size() + 1L);
        }
        properties.put(key, new Property(old == null ? name : old.name(), value));
        return this;
    }

    public boolean has(String name) {
        return properties.containsKey(name.toLowerCase(Locale.ROOT));
    }

    public Object get(String name) {
        Property p = properties.get(name.toLowerCase(Locale.ROOT));
        return p == null ? null : resolve(p.value());
    }

    /** A property whose value is read when asked for (a job's State): the supplier must be cheap and thread-safe. */
    public PSObject addLive(String name, java.util.function.Supplier<Object> value) {
        return add(name, new Live(value));
    }

    private record Live(java.util.function.Supplier<Object> value) {
    }

    private static Object resolve(Object v) {
        return v instanceof Live l ? l.value().get() : v;
    }

    /** Sets an existing property; fails like PowerShell when the object has no such property. */
    public void set(String name, Object value) {
        if (!has(name)) {
            throw new RuntimeError("The property '" + name + "' cannot be found on this object. Verify that the property exists and can be set.",
                    ErrorCategory.INVALID_OPERATION, "PropertyAssignmentException");
        }
        add(name, value);
    }

    /** Property names in order, as written. */
    public List<String> propertyNames() {
        List<String> out = new ArrayList<>(properties.size());
        properties.values().forEach(p -> out.add(p.name()));
        return out;
    }

    /** Properties in order (name as written, value). */
    public List<Map.Entry<String, Object>> entries() {
        List<Map.Entry<String, Object>> out = new ArrayList<>(properties.size());
        properties.values().forEach(p -> out.add(new java.util.AbstractMap.SimpleEntry<>(p.name(), resolve(p.value()))));
        return out;
    }

    public List<String> typeNames() {
        return typeNames;
    }

    public String typeName() {
        return typeNames.get(0);
    }

    public boolean isA(String typeName) {
        return typeNames.stream().anyMatch(t -> t.equalsIgnoreCase(typeName) || ShellTypeNames.simple(t).equalsIgnoreCase(typeName));
    }

    /** A shallow copy with the same type names. */
    public PSObject copy() {
        PSObject c = new PSObject(typeNames, display);
        properties.values().forEach(p -> c.add(p.name(), resolve(p.value())));
        return c;
    }

    @Override
    public String toString() {
        return text(0);
    }

    /** The @{a=1; b=...} form; objects nested deeper than two levels (or in a cycle) show as "...". */
    private String text(int depth) {
        if (display != null) {
            return display;
        }
        if (depth > 2) {
            return "...";
        }
        StringBuilder b = new StringBuilder("@{");
        String sep = "";
        for (Property p : properties.values()) {
            Object v = resolve(p.value());
            String value = v instanceof PSObject o ? o.text(depth + 1) : Conversions.toShortString(v);
            b.append(sep).append(p.name()).append('=').append(value);
            sep = "; ";
            if (b.length() > 4096) {
                b.append("...");
                break;
            }
        }
        return b.append('}').toString();
    }
}
