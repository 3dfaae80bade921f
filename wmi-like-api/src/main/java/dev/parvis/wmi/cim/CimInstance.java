package dev.parvis.wmi.cim;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One instance of a CIM class: its path (the class and keys; for an embedded instance that is not
 * yet an object, a path with no keys) and its non-NULL properties in the class's order. Property
 * names are looked up without case, as WQL does.
 */
public record CimInstance(ObjectPath path, Map<String, CimValue> properties) {

    public CimInstance {
        Objects.requireNonNull(path, "path");
        properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
    }

    public String className() {
        return path.className();
    }

    /** The property's value, empty when NULL or absent. */
    public Optional<CimValue> value(String name) {
        CimValue v = properties.get(name);
        if (v != null) {
            return Optional.of(v);
        }
        for (Map.Entry<String, CimValue> e : properties.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return Optional.of(e.getValue());
            }
        }
        return Optional.empty();
    }

    /** The property as text (its display form), empty when NULL. */
    public Optional<String> text(String name) {
        return value(name).map(CimValue::display);
    }

    /** The integer property, empty when NULL or not an integer. */
    public Optional<Long> integer(String name) {
        return value(name).filter(v -> v instanceof CimValue.Int).map(v -> ((CimValue.Int) v).value());
    }

    /** This instance with only {@code names} (and the keys, which identify it) kept. */
    public CimInstance project(List<String> names) {
        Map<String, CimValue> kept = new LinkedHashMap<>();
        for (Map.Entry<String, CimValue> e : properties.entrySet()) {
            boolean wanted = path.keys().containsKey(e.getKey()) || names.stream().anyMatch(n -> n.equalsIgnoreCase(e.getKey()));
            if (wanted) {
                kept.put(e.getKey(), e.getValue());
            }
        }
        return new CimInstance(path, kept);
    }

    /** Starts an instance of {@code className} whose path uses the given key properties. */
    public static Builder builder(String className) {
        return new Builder(className);
    }

    /** Collects properties in order; keys named with {@link #key} also form the path. */
    public static final class Builder {
        private final String className;
        private final Map<String, CimValue> properties = new LinkedHashMap<>();
        private final Map<String, String> keys = new LinkedHashMap<>();

        private Builder(String className) {
            this.className = className;
        }

        public Builder key(String name, String value) {
            keys.put(name, value);
            properties.put(name, new CimValue.Text(value));
            return this;
        }

        /** Sets a property; a null value leaves it NULL (absent). */
        public Builder set(String name, CimValue value) {
            if (value != null) {
                properties.put(name, value);
            }
            return this;
        }

        public Builder set(String name, String value) {
            return set(name, value == null ? null : new CimValue.Text(value));
        }

        public Builder set(String name, long value) {
            return set(name, new CimValue.Int(value));
        }

        public Builder set(String name, boolean value) {
            return set(name, new CimValue.Bool(value));
        }

        public CimInstance build() {
            return new CimInstance(new ObjectPath(className, keys), properties);
        }
    }
}
