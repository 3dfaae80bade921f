package dev.parvis.shell.format;

import dev.parvis.shell.runtime.Members;
import dev.parvis.shell.runtime.PSObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The default views of a session: a table view per registered type name; other objects show all
 * their properties, as a table when they have at most four and as a list otherwise (PowerShell's rule).
 */
public final class FormatViews {
    private final Map<String, TableView> tables = new ConcurrentHashMap<>();

    public FormatViews register(TableView view) {
        tables.put(view.typeName().toLowerCase(Locale.ROOT), view);
        return this;
    }

    public Optional<TableView> tableFor(Object o) {
        if (o instanceof PSObject p) {
            for (String t : p.typeNames()) {
                TableView v = tables.get(t.toLowerCase(Locale.ROOT));
                if (v != null) {
                    return Optional.of(v);
                }
            }
        }
        return Optional.empty();
    }

    /** The columns a table of {@code o} shows by default. */
    public List<Column> defaultColumns(Object o) {
        return tableFor(o).map(TableView::columns).orElseGet(() -> allProperties(o));
    }

    /** True when {@code o} shows as a list by default. */
    public boolean prefersList(Object o) {
        return tableFor(o).isEmpty() && Members.propertyNames(o).size() >= 5;
    }

    /** A column per property of {@code o}, in order. */
    public static List<Column> allProperties(Object o) {
        List<Column> out = new ArrayList<>();
        for (String name : Members.propertyNames(o)) {
            out.add(Column.property(name));
        }
        return out;
    }

    /** The key that says whether two objects can share one table (same columns). */
    public String tableKey(Object o) {
        return tableFor(o).map(v -> "view:" + v.typeName() + (v.group() == null ? "" : ":" + v.group().apply(o)))
                .orElseGet(() -> "props:" + String.join("|", Members.propertyNames(o)).toLowerCase(Locale.ROOT));
    }
}
