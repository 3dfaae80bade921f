package dev.parvis.shell.format;

import dev.parvis.shell.command.Pipe;
import dev.parvis.shell.runtime.Conversions;
import dev.parvis.shell.runtime.ErrorRecord;
import dev.parvis.shell.runtime.PSObject;
import dev.parvis.shell.runtime.ShellHashtable;
import dev.parvis.shell.runtime.ShellType;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Renders objects as text the way PowerShell's Out-Default does, streaming: text and numbers go
 * out as they come; objects of the same shape share one table (the first rows fix its widths);
 * objects with five or more properties and no table view show as lists; hashtables as Name/Value.
 */
public final class OutDefault implements Pipe {
    private static final DateTimeFormatter LONG_DATE = DateTimeFormatter.ofPattern("EEEE, MMMM d, yyyy h:mm:ss a", Locale.US);
    private static final List<Column> NAME_VALUE = List.of(
            Column.of("Name", e -> ((Map.Entry<?, ?>) e).getKey()), Column.of("Value", e -> ((Map.Entry<?, ?>) e).getValue()));

    private final FormatViews views;
    private final int width;
    private final Consumer<String> lines;
    private final java.util.function.Function<ErrorRecord, String> errorView;
    private TableWriter table;
    private String tableKey;
    private ListWriter list;

    /** {@code lines} receives each output line without its line break. */
    public OutDefault(FormatViews views, int width, Consumer<String> lines, java.util.function.Function<ErrorRecord, String> errorView) {
        this.views = views;
        this.width = width;
        this.lines = lines;
        this.errorView = errorView;
    }

    @Override
    public void write(Object v) {
        switch (v) {
            case null -> { }
            case Collection<?> c -> c.forEach(e -> {
                if (e instanceof Collection<?>) {
                    text(ValueText.cell(e));
                } else {
                    write(e);
                }
            });
            case ShellHashtable h -> h.entries().forEach(e -> row("hashtable", NAME_VALUE, e));
            case PSObject o -> object(o);
            case ErrorRecord e -> text(errorView.apply(e));
            case LocalDateTime t -> text(LONG_DATE.format(t));
            case ShellType t -> text(t.fullName());
            default -> text(Conversions.toShortString(v));
        }
    }

    private void object(PSObject o) {
        if (views.prefersList(o)) {
            endTable();
            if (list == null) {
                list = new ListWriter(lines);
            }
            list.add(o, FormatViews.allProperties(o));
            return;
        }
        String key = views.tableKey(o);
        var view = views.tableFor(o);
        if (view.isPresent() && view.get().group() != null && !key.equals(tableKey)) {
            endTable();
            lines.accept("");
            lines.accept("   " + view.get().groupLabel() + ": " + Conversions.toShortString(view.get().group().apply(o)));
        }
        row(key, views.defaultColumns(o), o);
    }

    private void row(String key, List<Column> columns, Object row) {
        list = null;
        if (table == null || !key.equals(tableKey)) {
            endTable();
            table = new TableWriter(columns, width, false, lines);
            tableKey = key;
        }
        table.add(row);
    }

    private void text(String s) {
        endTable();
        list = null;
        for (String line : s.split("\r?\n", -1)) {
            lines.accept(line);
        }
    }

    /** Prints the rows a table is still holding (before other text goes to the same screen). */
    public void flush() {
        if (table != null) {
            table.flush();
        }
    }

    /** Ends the current table; call when the output is complete. */
    public void end() {
        endTable();
    }

    private void endTable() {
        if (table != null) {
            table.end();
            table = null;
            tableKey = null;
        }
    }
}
