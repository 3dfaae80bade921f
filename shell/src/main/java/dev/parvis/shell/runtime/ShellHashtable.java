package dev.parvis.shell.runtime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A hashtable value ({@code @{ a = 1 }}): keys compare as PowerShell's do (strings without regard
 * to case, integers by value, anything else by identity) and keep their insertion order.
 * Equality is identity, like {@link ShellArray}.
 */
public final class ShellHashtable {
    private final LinkedHashMap<Object, Map.Entry<Object, Object>> entries = new LinkedHashMap<>();

    /** The lookup key for {@code key}. */
    private static Object norm(Object key) {
        if (key instanceof String s) {
            return s.toLowerCase(Locale.ROOT);
        }
        if (key instanceof Integer || key instanceof Long || key instanceof Short || key instanceof Byte) {
            return ((Number) key).longValue();
        }
        if (key instanceof EnumValue e) {
            return e.name().toLowerCase(Locale.ROOT);
        }
        if (key == null || key instanceof Double || key instanceof Boolean || key instanceof java.util.UUID) {
            return key;
        }
        return new IdentityKey(key);
    }

    private record IdentityKey(Object ref) {
        @Override
        public boolean equals(Object o) {
            return o instanceof IdentityKey k && k.ref == ref;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(ref);
        }
    }

    public Object get(Object key) {
        Map.Entry<Object, Object> e = entries.get(norm(key));
        return e == null ? null : e.getValue();
    }

    public boolean containsKey(Object key) {
        return entries.containsKey(norm(key));
    }

    /** Sets {@code key} (replacing an existing value, keeping the key as first written). */
    public void put(Object key, Object value) {
        if (key == null) {
            throw new RuntimeError("A hashtable key cannot be null.", ErrorCategory.INVALID_ARGUMENT, "InvalidNullKey");
        }
        Object n = norm(key);
        Map.Entry<Object, Object> existing = entries.get(n);
        if (existing != null) {
            existing.setValue(value);
            return;
        }
        Limits.checkElements(entries.size() + 1L);
        entries.put(n, new java.util.AbstractMap.SimpleEntry<>(key, value));
    }

    /** Hashtable.Add: fails when the key exists. */
    public void add(Object key, Object value) {
        if (containsKey(key)) {
            throw new RuntimeError("Item has already been added. Key in dictionary: '" + key + "'",
                    ErrorCategory.INVALID_OPERATION, "DuplicateKey");
        }
        put(key, value);
    }

    public Object remove(Object key) {
        Map.Entry<Object, Object> e = entries.remove(norm(key));
        return e == null ? null : e.getValue();
    }

    public void clear() {
        entries.clear();
    }

    public int size() {
        return entries.size();
    }

    public List<Object> keys() {
        List<Object> out = new ArrayList<>(entries.size());
        entries.values().forEach(e -> out.add(e.getKey()));
        return out;
    }

    public List<Object> values() {
        List<Object> out = new ArrayList<>(entries.size());
        entries.values().forEach(e -> out.add(e.getValue()));
        return out;
    }

    /** Entries in insertion order (key as written, value). */
    public List<Map.Entry<Object, Object>> entries() {
        return List.copyOf(entries.values());
    }

    public ShellHashtable copy() {
        ShellHashtable c = new ShellHashtable();
        entries.values().forEach(e -> c.put(e.getKey(), e.getValue()));
        return c;
    }

    @Override
    public String toString() {
        return "System.Collections.Hashtable";
    }
}
