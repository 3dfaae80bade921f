package dev.parvis.shell.syntax;

/**
 * Where a piece of syntax is: character offsets {@code [start, end)} in its source, and the line and
 * column (both 1-based) of its first character.
 */
public record SourceSpan(SourceText source, int start, int end, int line, int column) {
    public static final SourceSpan NONE = new SourceSpan(SourceText.interactive(""), 0, 0, 0, 0);
    /** Widest source excerpt an error shows; a longer line (a minified or hostile script) is cut around the span. */
    static final int MAX_EXCERPT = 160;
    private static final int CONTEXT_BEFORE = 40;

    public boolean isKnown() {
        return line > 0;
    }

    /** The source text this span covers. */
    public String text() {
        String t = source.text();
        return t.substring(Math.min(start, t.length()), Math.min(Math.max(end, start), t.length()));
    }

    /** "At line:3 char:5" (typed input) or "At /path/x.ps1:3 char:5" (a script file), as PowerShell writes it. */
    public String location() {
        return source.isInteractive()
                ? "At line:%d char:%d".formatted(line, column)
                : "At %s:%d char:%d".formatted(source.name(), line, column);
    }

    /** The line of source with this span underlined, as two lines ("+ text" and "+ ~~~~"). */
    public String underline() {
        String lineText = source.line(line);
        int from = Math.max(0, Math.min(column - 1, lineText.length()));
        int width = Math.max(1, Math.min(end - start, lineText.length() - from));
        if (lineText.length() <= MAX_EXCERPT) {
            return "+ " + lineText + "\n+ " + " ".repeat(from) + "~".repeat(width);
        }
        int cut = Math.max(0, Math.min(from - CONTEXT_BEFORE, lineText.length() - MAX_EXCERPT));
        String left = cut > 0 ? "..." : "";
        String right = cut + MAX_EXCERPT < lineText.length() ? "..." : "";
        String excerpt = left + lineText.substring(cut, cut + MAX_EXCERPT) + right;
        int at = left.length() + from - cut;
        return "+ " + excerpt + "\n+ " + " ".repeat(at) + "~".repeat(Math.max(1, Math.min(width, MAX_EXCERPT - (from - cut))));
    }
}
