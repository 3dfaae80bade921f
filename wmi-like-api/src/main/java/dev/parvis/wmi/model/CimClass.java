package dev.parvis.wmi.model;

import java.util.List;

/**
 * A class of the model: its name, key properties, every property it may carry (for checking the
 * names a query uses) and its methods. Associations carry two reference properties.
 */
public record CimClass(String name, List<String> keys, List<String> properties, List<String> methods) {
    public CimClass {
        keys = List.copyOf(keys);
        properties = List.copyOf(properties);
        methods = List.copyOf(methods);
    }

    public boolean hasProperty(String property) {
        return properties.stream().anyMatch(p -> p.equalsIgnoreCase(property));
    }
}
