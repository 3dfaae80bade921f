package dev.parvis.shell.command;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Values the interactive prompt offers on Tab for parameters that name things (VM names), by the
 * key a parameter declares with {@link ParameterSpec#completes}; modules register their sources.
 */
public final class ArgumentCompletions {
    /** The names of the VMs on the connected host. */
    public static final String VM_NAMES = "vm";

    private final Map<String, Supplier<List<String>>> sources = new ConcurrentHashMap<>();

    public void register(String key, Supplier<List<String>> source) {
        sources.put(key, source);
    }

    /** The values for {@code key}; empty when there is no source or it fails. */
    public List<String> values(String key) {
        Supplier<List<String>> s = sources.get(key);
        if (s == null) {
            return List.of();
        }
        try {
            return s.get();
        } catch (RuntimeException e) {
            return List.of();
        }
    }
}
