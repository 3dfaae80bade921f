package dev.parvis.shell.console;

import dev.parvis.shell.engine.ShellHost;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.utils.AttributedStyle;
import org.jline.utils.AttributedStringBuilder;

/** The interactive prompt's host: a JLine terminal; errors in red, warnings in yellow, a one-line progress bar. */
final class TerminalHost implements ShellHost {
    private final Terminal terminal;
    private LineReader reader;
    private boolean progressShown;

    TerminalHost(Terminal terminal) {
        this.terminal = terminal;
    }

    void attach(LineReader reader) {
        this.reader = reader;
    }

    @Override
    public synchronized void write(String text) {
        clearProgress();
        terminal.writer().print(text);
        terminal.writer().flush();
    }

    @Override
    public synchronized void writeError(String text) {
        write(colored(text, AttributedStyle.RED));
    }

    @Override
    public synchronized void writeWarning(String text) {
        write(colored(text, AttributedStyle.YELLOW) + "\n");
    }

    private String colored(String text, int color) {
        return new AttributedStringBuilder().style(AttributedStyle.DEFAULT.foreground(color)).append(text).toAnsi(terminal);
    }

    @Override
    public int width() {
        int w = terminal.getWidth();
        return w >= 20 ? w : 120;
    }

    @Override
    public boolean interactive() {
        return true;
    }

    @Override
    public String readLine(String prompt) {
        if (reader == null) {
            return null;
        }
        clearProgress();
        try {
            return reader.readLine(prompt);
        } catch (UserInterruptException | EndOfFileException e) {
            return null;
        }
    }

    @Override
    public String readSecret(String prompt) {
        if (reader == null) {
            return null;
        }
        clearProgress();
        reader.setVariable(LineReader.DISABLE_HISTORY, true);
        try {
            return reader.readLine(prompt, '*');
        } catch (UserInterruptException | EndOfFileException e) {
            return null;
        } finally {
            reader.setVariable(LineReader.DISABLE_HISTORY, false);
        }
    }

    /**
     * A progress bar redraws its line with a carriage return and an erase-to-end escape, which only a
     * real terminal understands: on a dumb one (input or output redirected) there is none, as
     * PowerShell shows none when its output is not a console.
     */
    @Override
    public synchronized void progress(String activity, String status, int percent, boolean done) {
        if (isDumb()) {
            return;
        }
        if (done) {
            clearProgress();
            return;
        }
        int barWidth = Math.max(10, Math.min(40, width() - activity.length() - status.length() - 12));
        int filled = Math.max(0, Math.min(barWidth, percent * barWidth / 100));
        String line = activity + " [" + "o".repeat(filled) + " ".repeat(barWidth - filled) + "] " + percent + "% " + status;
        if (line.length() >= width()) {
            line = line.substring(0, width() - 1);
        }
        terminal.writer().print("\r" + colored(line, AttributedStyle.CYAN) + "\u001b[K");
        terminal.writer().flush();
        progressShown = true;
    }

    private boolean isDumb() {
        String type = terminal.getType();
        return Terminal.TYPE_DUMB.equals(type) || Terminal.TYPE_DUMB_COLOR.equals(type);
    }

    private void clearProgress() {
        if (progressShown) {
            terminal.writer().print("\r\u001b[K");
            terminal.writer().flush();
            progressShown = false;
        }
    }
}
