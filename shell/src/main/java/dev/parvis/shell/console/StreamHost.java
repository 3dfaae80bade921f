package dev.parvis.shell.console;

import dev.parvis.shell.engine.ShellHost;
import java.io.PrintStream;

/**
 * The host of -File and -Command runs: output to stdout, errors and warnings to stderr, nobody to
 * answer prompts. The table width is $COLUMNS when set, else 120.
 */
final class StreamHost implements ShellHost {
    private final PrintStream out;
    private final PrintStream err;
    private final int width;

    StreamHost(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
        this.width = columns();
    }

    private static int columns() {
        try {
            int c = Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "120"));
            return c >= 20 && c <= 1000 ? c : 120;
        } catch (NumberFormatException e) {
            return 120;
        }
    }

    @Override
    public void write(String text) {
        out.print(text);
        out.flush();
    }

    @Override
    public void writeError(String text) {
        out.flush();
        err.print(text);
        err.flush();
    }

    @Override
    public void writeWarning(String text) {
        out.flush();
        err.println(text);
        err.flush();
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public boolean interactive() {
        return false;
    }

    @Override
    public String readLine(String prompt) {
        return null;
    }
}
