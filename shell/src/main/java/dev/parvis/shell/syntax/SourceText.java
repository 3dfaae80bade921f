package dev.parvis.shell.syntax;

import java.util.Objects;

/**
 * The text of a script or an interactive input, with the name errors show for it
 * ({@code line} for typed input, the file's path for a script file).
 */
public record SourceText(String name, String text) {
    public SourceText {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(text, "text");
    }

    public static SourceText interactive(String text) {
        return new SourceText("", text);
    }

    /** True for typed input (errors say "At line:N char:M"), false for a file. */
    public boolean isInteractive() {
        return name.isEmpty();
    }

    /** The text of line {@code line} (1-based), without its line break; empty past the end. */
    public String line(int line) {
        int start = 0;
        for (int n = 1; n < line; n++) {
            int nl = text.indexOf('\n', start);
            if (nl < 0) {
                return "";
            }
            start = nl + 1;
        }
        int end = text.indexOf('\n', start);
        String s = end < 0 ? text.substring(start) : text.substring(start, end);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }
}
