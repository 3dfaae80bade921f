package dev.parvis.shell.runtime;

/**
 * A value of a named enumeration ({@code VMState.Running}, {@code JobState.Completed}): shows its
 * name, compares equal to its name (any case) or its number, orders by its number.
 */
public record EnumValue(String typeName, String name, int value) {
    @Override
    public String toString() {
        return name;
    }
}
