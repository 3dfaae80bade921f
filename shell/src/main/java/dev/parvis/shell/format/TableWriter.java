package dev.parvis.shell.format;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Writes a table as rows arrive: the first rows (up to {@link #SAMPLE}) decide the column widths,
 * then the header and every later row go out at once, cut to the widths with "...". Numbers align
 * right. The header's underline is as long as each label, as in PowerShell.
 */
public final class TableWriter {
    static final int SAMPLE = 20;
    private static final int MIN_WIDTH = 4;

    private final List<Column> columns;
    private final int totalWidth;
    private final Consumer<String> out;
    private final List<String[]> pending = new ArrayList<>();
    private final List<boolean[]> pendingNumeric = new ArrayList<>();
    private int[] widths;
    private boolean[] rightAligned;
    private final boolean autoSize;

    public TableWriter(List<Column> columns, int totalWidth, boolean autoSize, Consumer<String> out) {
        this.columns = List.copyOf(columns);
        this.totalWidth = Math.max(20, totalWidth);
        this.autoSize = autoSize;
        this.out = out;
    }

    public List<Column> columns() {
        return columns;
    }

    public void add(Object row) {
        String[] cells = new String[columns.size()];
        boolean[] numeric = new boolean[columns.size()];
        for (int i = 0; i < cells.length; i++) {
            Object v = columns.get(i).value().apply(row);
            cells[i] = ValueText.cell(v);
            numeric[i] = ValueText.isNumeric(v);
        }
        if (widths != null) {
            out.accept(line(cells));
            return;
        }
        pending.add(cells);
        pendingNumeric.add(numeric);
        if (!autoSize && pending.size() >= SAMPLE) {
            flush();
        }
    }

    /** Prints the header and the rows held so far (fixing the widths). */
    public void flush() {
        if (widths != null) {
            return;
        }
        layout();
        out.accept("");
        String[] labels = columns.stream().map(Column::label).toArray(String[]::new);
        out.accept(line(labels));
        String[] rules = columns.stream().map(c -> "-".repeat(Math.max(1, Math.min(c.label().length(), 1000)))).toArray(String[]::new);
        out.accept(line(rules));
        pending.forEach(r -> out.accept(line(r)));
        pending.clear();
    }

    /** Ends the table: the rows still held, then a blank line. */
    public void end() {
        flush();
        out.accept("");
    }

    private void layout() {
        int n = columns.size();
        widths = new int[n];
        rightAligned = new boolean[n];
        for (int i = 0; i < n; i++) {
            Column c = columns.get(i);
            widths[i] = c.label().length();
            boolean allNumeric = !pending.isEmpty();
            for (int r = 0; r < pending.size(); r++) {
                widths[i] = Math.max(widths[i], pending.get(r)[i].length());
                allNumeric &= pendingNumeric.get(r)[i] || pending.get(r)[i].isEmpty();
            }
            rightAligned[i] = c.alignment() == null ? allNumeric : c.alignment() == Column.Alignment.RIGHT;
            widths[i] = Math.min(widths[i], totalWidth);
        }
        fit();
    }

    /** Shrinks the widest columns until the table fits the width. */
    private void fit() {
        while (sum() > totalWidth) {
            int widest = 0;
            for (int i = 1; i < widths.length; i++) {
                if (widths[i] > widths[widest]) {
                    widest = i;
                }
            }
            if (widths[widest] <= MIN_WIDTH) {
                break;
            }
            widths[widest]--;
        }
    }

    private int sum() {
        int s = widths.length - 1;
        for (int w : widths) {
            s += w;
        }
        return s;
    }

    private String line(String[] cells) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            String cell = cut(cells[i], widths[i]);
            boolean last = i == cells.length - 1;
            String pad = " ".repeat(widths[i] - cell.length());
            b.append(rightAligned[i] ? pad + cell : last ? cell : cell + pad);
            if (!last) {
                b.append(' ');
            }
        }
        return strip(b.toString());
    }

    private static String cut(String s, int width) {
        if (s.length() <= width) {
            return s;
        }
        return width <= 3 ? s.substring(0, width) : s.substring(0, width - 3) + "...";
    }

    private static String strip(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == ' ') {
            end--;
        }
        return s.substring(0, end);
    }
}
