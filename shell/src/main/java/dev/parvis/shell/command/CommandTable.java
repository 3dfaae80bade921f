package dev.parvis.shell.command;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The commands a session knows, by name (any case), and their aliases ({@code ?}, {@code %}, {@code select}, {@code ft}). */
public final class CommandTable {
    private final Map<String, CommandDefinition> commands = new TreeMap<>();
    private final Map<String, String> aliases = new TreeMap<>();

    public CommandTable add(CommandDefinition definition) {
        String key = definition.spec().name().toLowerCase(Locale.ROOT);
        if (commands.putIfAbsent(key, definition) != null) {
            throw new IllegalArgumentException("command defined twice: " + definition.spec().name());
        }
        return this;
    }

    public CommandTable alias(String alias, String command) {
        aliases.put(alias.toLowerCase(Locale.ROOT), command);
        return this;
    }

    public Optional<CommandDefinition> find(String name) {
        String key = name.toLowerCase(Locale.ROOT);
        CommandDefinition d = commands.get(key);
        if (d == null && aliases.containsKey(key)) {
            d = commands.get(aliases.get(key).toLowerCase(Locale.ROOT));
        }
        return Optional.ofNullable(d);
    }

    /** The command an alias stands for, if {@code name} is an alias. */
    public Optional<String> aliasTarget(String name) {
        return Optional.ofNullable(aliases.get(name.toLowerCase(Locale.ROOT)));
    }

    public List<CommandDefinition> all() {
        return new ArrayList<>(commands.values());
    }

    /** Alias to command name, sorted by alias. */
    public Map<String, String> aliases() {
        return Map.copyOf(aliases);
    }
}
