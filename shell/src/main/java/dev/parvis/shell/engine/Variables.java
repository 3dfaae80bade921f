package dev.parvis.shell.engine;

import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.RuntimeError;
import dev.parvis.shell.syntax.VariablePath;
import java.util.Locale;

/**
 * Reading and writing variables: the constants ($true, $false, $null), $? and $_ / $PSItem,
 * scope qualifiers ($global:, $script:, $local:) and environment variables ($env:NAME; a script's
 * changes stay in the session, the shell process's environment is not modified).
 */
final class Variables {
    private final ShellSession session;

    Variables(ShellSession session) {
        this.session = session;
    }

    Object get(VariablePath p, Frame f) {
        String name = p.name().toLowerCase(Locale.ROOT);
        if (p.isEnvironment()) {
            return session.environment(p.name());
        }
        switch (name) {
            case "true" -> {
                return Boolean.TRUE;
            }
            case "false" -> {
                return Boolean.FALSE;
            }
            case "null" -> {
                return null;
            }
            case "?" -> {
                return session.lastSuccess();
            }
            case "psitem" -> {
                return f.scope().get("_");
            }
            default -> {
                return scopeFor(p, f).get(p.name());
            }
        }
    }

    void set(VariablePath p, Object value, Frame f) {
        String name = p.name().toLowerCase(Locale.ROOT);
        if (p.isEnvironment()) {
            session.setEnvironment(p.name(), value == null ? null : dev.parvis.shell.runtime.Conversions.toShortString(value));
            return;
        }
        if (name.equals("null")) {
            return;
        }
        if (name.equals("true") || name.equals("false") || name.equals("?")) {
            throw new RuntimeError("Cannot overwrite variable " + p.name() + " because it is read-only or constant.",
                    ErrorCategory.INVALID_OPERATION, "VariableNotWritable");
        }
        scopeFor(p, f).set(name.equals("psitem") ? "_" : p.name(), value);
    }

    private Scope scopeFor(VariablePath p, Frame f) {
        return switch (p.scope()) {
            case "" , "local", "private" -> f.scope();
            case "global" -> f.scope().global();
            case "script" -> f.scope().script();
            default -> throw new RuntimeError("The scope '" + p.scope() + ":' is not known; use global:, script:, local: or env:.",
                    ErrorCategory.INVALID_ARGUMENT, "UnknownScope");
        };
    }
}
