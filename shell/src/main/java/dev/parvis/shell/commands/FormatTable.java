package dev.parvis.shell.commands;

import dev.parvis.shell.command.BoundParameters;
import dev.parvis.shell.command.CommandContext;
import dev.parvis.shell.command.CommandDefinition;
import dev.parvis.shell.command.CommandProcessor;
import dev.parvis.shell.command.CommandSpec;
import dev.parvis.shell.command.ParameterKind;
import dev.parvis.shell.command.ParameterSpec;
import dev.parvis.shell.command.Pipe;
import dev.parvis.shell.command.PipelineInput;
import dev.parvis.shell.engine.ShellHost;
import dev.parvis.shell.format.Column;
import dev.parvis.shell.format.FormatViews;
import dev.parvis.shell.format.TableWriter;
import dev.parvis.shell.runtime.ShellHashtable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Format-Table: shows objects as a table, one line of text per row (so it belongs at the end of a
 * pipeline). Columns are the given properties, or the type's default view.
 */
public final class FormatTable implements CommandDefinition {
    private static final CommandSpec SPEC = CommandSpec.named("Format-Table")
            .synopsis("Formats the output as a table.")
            .description("Shows the input objects as a table of the given properties (names, wildcards, or calculated "
                    + "properties @{Name=...; Expression=...; Width=...; Alignment='Right'}), or of the default columns of "
                    + "their type. Column widths come from the first rows (all rows with -AutoSize). The output is text.")
            .parameter(ParameterSpec.of("Property", ParameterKind.OBJECT_ARRAY, "The columns to show.").at(0))
            .parameter(ParameterSpec.of("AutoSize", ParameterKind.SWITCH, "Sizes the columns from all rows."))
            .parameter(ParameterSpec.of("HideTableHeaders", ParameterKind.SWITCH, "Leaves out the header lines."))
            .parameter(ParameterSpec.of("InputObject", ParameterKind.OBJECT, "The objects to format.").fromPipeline(PipelineInput.BY_VALUE))
            .example("[pscustomobject]@{Name='web1'; State='Running'; MemoryMB=512} | Format-Table Name, State",
                    "A table with the columns Name and State.")
            .example("1..3 | ForEach-Object { [pscustomobject]@{N=$_; Square=$_ * $_} } | Format-Table -AutoSize", "A two-column table.")
            .outputs("System.String")
            .build();

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    public CommandProcessor create(BoundParameters p, CommandContext ctx) {
        List<Object> specs = p.objects("Property");
        List<PropertySelector.Selected> selected = PropertySelector.parse(specs, ctx);
        FormatViews views = ctx.service(FormatViews.class);
        int width = ctx.service(ShellHost.class).width();
        return new Table(specs, selected, views, width, p.flag("AutoSize"), p.flag("HideTableHeaders"));
    }

    /** One run of Format-Table: the columns come from the first row, then every row is one line. */
    private static final class Table implements CommandProcessor {
        private final List<Object> specs;
        private final List<PropertySelector.Selected> selected;
        private final FormatViews views;
        private final int width;
        private final boolean autoSize;
        private final boolean hideHeaders;
        private TableWriter table;
        private int lines;

        Table(List<Object> specs, List<PropertySelector.Selected> selected, FormatViews views, int width, boolean autoSize,
                boolean hideHeaders) {
            this.specs = specs;
            this.selected = selected;
            this.views = views;
            this.width = width;
            this.autoSize = autoSize;
            this.hideHeaders = hideHeaders;
        }

        @Override
        public void process(Object input, BoundParameters record, Pipe out) {
            Object item = record.get("InputObject");
            if (item instanceof ShellHashtable h && specs.isEmpty()) {
                h.entries().forEach(e -> row(e, nameValue(), out));
                return;
            }
            row(item, null, out);
        }

        private void row(Object item, List<Column> fixed, Pipe out) {
            if (table == null) {
                List<Column> columns = fixed != null ? fixed : specs.isEmpty() ? views.defaultColumns(item)
                        : columns(PropertySelector.expandWildcards(selected, specs, item));
                table = new TableWriter(columns, width, autoSize, line -> emit(line, out));
            }
            table.add(item);
        }

        private void emit(String line, Pipe out) {
            lines++;
            if (!hideHeaders || lines > 3) {
                out.write(line);
            }
        }

        @Override
        public void end(Pipe out) {
            if (table != null) {
                table.end();
            }
        }
    }

    static List<Column> columns(List<PropertySelector.Selected> selected) {
        List<Column> out = new ArrayList<>();
        for (PropertySelector.Selected s : selected) {
            Column.Alignment a = s.alignment() == null ? null
                    : s.alignment().equalsIgnoreCase("right") ? Column.Alignment.RIGHT : Column.Alignment.LEFT;
            out.add(new Column(s.label(), s.value(), a));
        }
        return out;
    }

    static List<Column> nameValue() {
        return List.of(Column.of("Name", e -> ((Map.Entry<?, ?>) e).getKey()), Column.of("Value", e -> ((Map.Entry<?, ?>) e).getValue()));
    }
}
