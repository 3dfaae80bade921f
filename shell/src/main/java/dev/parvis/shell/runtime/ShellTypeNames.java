package dev.parvis.shell.runtime;

/** Helpers on dotted type names. */
final class ShellTypeNames {
    private ShellTypeNames() {
    }

    static String simple(String fullName) {
        int dot = fullName.lastIndexOf('.');
        return dot < 0 ? fullName : fullName.substring(dot + 1);
    }
}
