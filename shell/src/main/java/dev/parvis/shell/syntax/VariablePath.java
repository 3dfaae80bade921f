package dev.parvis.shell.syntax;

import java.util.Locale;

/**
 * A variable reference: its name and scope qualifier ({@code $global:x}, {@code $script:x},
 * {@code $env:PATH}); {@code scope} is empty when unqualified.
 */
public record VariablePath(String scope, String name) {
    /** Parses the text after '$' ({@code x}, {@code env:HOME}, {@code {odd name}}). */
    public static VariablePath parse(String text) {
        if (text.startsWith("{") && text.endsWith("}")) {
            return new VariablePath("", text.substring(1, text.length() - 1));
        }
        int colon = text.indexOf(':');
        if (colon > 0) {
            return new VariablePath(text.substring(0, colon).toLowerCase(Locale.ROOT), text.substring(colon + 1));
        }
        return new VariablePath("", text);
    }

    public boolean isEnvironment() {
        return scope.equals("env");
    }

    @Override
    public String toString() {
        return scope.isEmpty() ? "$" + name : "$" + scope + ":" + name;
    }
}
