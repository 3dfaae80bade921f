package dev.parvis.shell.format;

import java.util.List;
import java.util.function.Function;

/**
 * How objects of one type show as a table by default (Get-VM's Name, State, CPUUsage(%), ...);
 * {@code group}, when not null, starts a new table under a heading whenever its value changes
 * (Get-Member's "TypeName: ...").
 */
public record TableView(String typeName, List<Column> columns, String groupLabel, Function<Object, Object> group) {
    public TableView {
        columns = List.copyOf(columns);
    }

    public TableView(String typeName, List<Column> columns) {
        this(typeName, columns, null, null);
    }
}
