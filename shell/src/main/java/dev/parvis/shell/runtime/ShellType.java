package dev.parvis.shell.runtime;

/** A type as a value ({@code [int]}, {@code $x.GetType()}): its full .NET-style name. */
public record ShellType(String fullName) {
    public String name() {
        int dot = fullName.lastIndexOf('.');
        return dot < 0 ? fullName : fullName.substring(dot + 1);
    }

    @Override
    public String toString() {
        return fullName;
    }
}
