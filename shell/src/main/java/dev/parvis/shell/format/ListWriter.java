package dev.parvis.shell.format;

import java.util.List;
import java.util.function.Consumer;

/** Writes objects as lists, one "Name : value" line per property, a blank line around each object. */
public final class ListWriter {
    private final Consumer<String> out;
    private boolean first = true;

    public ListWriter(Consumer<String> out) {
        this.out = out;
    }

    public void add(Object o, List<Column> properties) {
        if (first) {
            out.accept("");
            first = false;
        }
        int labelWidth = properties.stream().mapToInt(c -> Math.min(c.label().length(), 60)).max().orElse(0);
        for (Column c : properties) {
            String label = c.label().length() > 60 ? c.label().substring(0, 57) + "..." : c.label();
            String[] lines = text(c.value().apply(o)).split("\n", -1);
            out.accept(label + " ".repeat(labelWidth - label.length()) + " : " + lines[0]);
            for (int i = 1; i < lines.length; i++) {
                out.accept(" ".repeat(labelWidth + 3) + lines[i]);
            }
        }
        out.accept("");
    }

    private static String text(Object v) {
        return v instanceof String s ? s.replace("\r", "") : ValueText.cell(v);
    }
}
