package dev.parvis.shell.format;

import dev.parvis.shell.runtime.Conversions;
import dev.parvis.shell.runtime.ShellHashtable;
import java.util.Collection;
import java.util.StringJoiner;

/** How a value reads inside a table cell or a list entry: collections as {a, b, c}, others as their text. */
public final class ValueText {
    private static final int MAX_ITEMS = 4;

    private ValueText() {
    }

    public static String cell(Object v) {
        return switch (v) {
            case null -> "";
            case ShellHashtable h -> "{" + String.join(", ", h.keys().stream().limit(MAX_ITEMS).map(Conversions::toShortString).toList())
                    + (h.size() > MAX_ITEMS ? "..." : "") + "}";
            case Collection<?> c -> collection(c);
            default -> oneLine(Conversions.toShortString(v));
        };
    }

    private static String collection(Collection<?> c) {
        StringJoiner j = new StringJoiner(", ", "{", "}");
        int n = 0;
        for (Object o : c) {
            if (n++ == MAX_ITEMS) {
                j.add("...");
                break;
            }
            j.add(o instanceof Collection<?> ? "System.Object[]" : oneLine(Conversions.toShortString(o)));
        }
        return j.toString();
    }

    /** Tabs and line breaks would break a table's layout: shown as spaces. */
    public static String oneLine(String s) {
        return s.replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ').replace('\t', ' ');
    }

    public static boolean isNumeric(Object v) {
        return v instanceof Number;
    }
}
