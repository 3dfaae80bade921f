package dev.parvis.shell.syntax;

/** A type as written in {@code [name]} or {@code [name[]]}. */
public record TypeName(String name, boolean array) {
    @Override
    public String toString() {
        return "[" + name + (array ? "[]" : "") + "]";
    }
}
