package dev.parvis.shell.engine;

import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.RuntimeError;
import dev.parvis.shell.syntax.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A variable scope. PowerShell scopes are dynamic: a function's scope is a child of its caller's,
 * reads walk up the chain, plain assignments create or update a variable in the current scope, and
 * {@code $script:} / {@code $global:} name the enclosing script or the global scope.
 */
final class Scope {
    private static final int MAX_VARIABLES = 100_000;

    private record Variable(String name, Object value, boolean constant) {
    }

    private final Scope parent;
    private final boolean scriptScope;
    private final Map<String, Variable> variables = new HashMap<>();
    private final Map<String, Statement.FunctionDefinition> functions = new HashMap<>();

    Scope(Scope parent, boolean scriptScope) {
        this.parent = parent;
        this.scriptScope = scriptScope;
    }

    Scope parent() {
        return parent;
    }

    Scope global() {
        Scope s = this;
        while (s.parent != null) {
            s = s.parent;
        }
        return s;
    }

    /** The nearest script scope (the global scope at the prompt). */
    Scope script() {
        Scope s = this;
        while (s.parent != null && !s.scriptScope) {
            s = s.parent;
        }
        return s;
    }

    boolean isDefined(String name) {
        return find(name) != null;
    }

    Object get(String name) {
        Variable v = find(name);
        return v == null ? null : v.value();
    }

    private Variable find(String name) {
        String key = name.toLowerCase(Locale.ROOT);
        for (Scope s = this; s != null; s = s.parent) {
            Variable v = s.variables.get(key);
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    /** Sets a variable in this scope. */
    void set(String name, Object value) {
        String key = name.toLowerCase(Locale.ROOT);
        Variable existing = variables.get(key);
        if (existing == null) {
            Variable inherited = find(name);
            if (inherited != null && inherited.constant()) {
                throw readOnly(name);
            }
            if (variables.size() >= MAX_VARIABLES) {
                throw new RuntimeError("Too many variables in one scope (limit " + MAX_VARIABLES + ").",
                        ErrorCategory.LIMITS_EXCEEDED, "TooManyVariables");
            }
            variables.put(key, new Variable(name, value, false));
        } else if (existing.constant()) {
            throw readOnly(name);
        } else {
            variables.put(key, new Variable(existing.name(), value, false));
        }
    }

    void setConstant(String name, Object value) {
        variables.put(name.toLowerCase(Locale.ROOT), new Variable(name, value, true));
    }

    /** Removes the variable from this scope only; returns whether it was there. */
    boolean remove(String name) {
        Variable v = variables.get(name.toLowerCase(Locale.ROOT));
        if (v != null && v.constant()) {
            throw readOnly(name);
        }
        return variables.remove(name.toLowerCase(Locale.ROOT)) != null;
    }

    void defineFunction(String name, Statement.FunctionDefinition definition) {
        if (functions.size() >= MAX_VARIABLES) {
            throw new RuntimeError("Too many functions in one scope.", ErrorCategory.LIMITS_EXCEEDED, "TooManyFunctions");
        }
        functions.put(name.toLowerCase(Locale.ROOT), definition);
    }

    Statement.FunctionDefinition findFunction(String name) {
        String key = name.toLowerCase(Locale.ROOT);
        for (Scope s = this; s != null; s = s.parent) {
            Statement.FunctionDefinition d = s.functions.get(key);
            if (d != null) {
                return d;
            }
        }
        return null;
    }

    /** Function names visible from this scope. */
    List<String> functionNames() {
        Map<String, String> names = new java.util.TreeMap<>();
        for (Scope s = this; s != null; s = s.parent) {
            s.functions.values().forEach(d -> names.putIfAbsent(d.name().toLowerCase(Locale.ROOT), d.name()));
        }
        return List.copyOf(names.values());
    }

    /** Names visible from this scope (for completion and Get-Variable). */
    List<String> visibleNames() {
        Map<String, String> names = new java.util.TreeMap<>();
        for (Scope s = this; s != null; s = s.parent) {
            s.variables.values().forEach(v -> names.putIfAbsent(v.name().toLowerCase(Locale.ROOT), v.name()));
        }
        return List.copyOf(names.values());
    }

    private static RuntimeError readOnly(String name) {
        return new RuntimeError("Cannot overwrite variable " + name + " because it is read-only or constant.",
                ErrorCategory.INVALID_OPERATION, "VariableNotWritable");
    }
}
