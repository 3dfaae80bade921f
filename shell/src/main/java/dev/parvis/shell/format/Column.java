package dev.parvis.shell.format;

import java.util.function.Function;

/**
 * One column of a table: its header, how to get the cell's value from an object, and its alignment
 * (null: right for numbers, left otherwise, as PowerShell does).
 */
public record Column(String label, Function<Object, Object> value, Alignment alignment) {
    public enum Alignment { LEFT, RIGHT }

    public static Column of(String label, Function<Object, Object> value) {
        return new Column(label, value, null);
    }

    /** A column showing property {@code name} of the object. */
    public static Column property(String name) {
        return new Column(name, o -> dev.parvis.shell.runtime.Members.get(o, name), null);
    }
}
