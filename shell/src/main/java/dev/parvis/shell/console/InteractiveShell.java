package dev.parvis.shell.console;

import dev.parvis.shell.engine.RunResult;
import dev.parvis.shell.engine.ShellSession;
import dev.parvis.shell.syntax.SourceText;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;

/**
 * The interactive prompt: reads lines with JLine (history kept across sessions in a file, Tab
 * completion, more lines for unfinished input), runs each on the evaluation thread, and turns
 * Ctrl-C into stopping the running pipeline (a second Ctrl-C interrupts a blocking call); the
 * shell itself ends on {@code exit} or Ctrl-D.
 */
final class InteractiveShell {
    private final Terminal terminal;
    private final Path historyFile;
    private final String banner;
    private final String startup;

    /** {@code startup}, when not null, runs before the first prompt (the demo VM). */
    InteractiveShell(Terminal terminal, Path historyFile, String banner, String startup) {
        this.terminal = terminal;
        this.historyFile = historyFile;
        this.banner = banner;
        this.startup = startup;
    }

    int run(Function<TerminalHost, ShellSession> sessions) {
        TerminalHost host = new TerminalHost(terminal);
        ShellSession session = sessions.apply(host);
        LineReader reader = lineReader(session);
        host.attach(reader);
        AtomicInteger interrupts = new AtomicInteger();
        try (EvaluationThread eval = new EvaluationThread()) {
            terminal.handle(Terminal.Signal.INT, signal -> {
                session.cancel();
                if (interrupts.incrementAndGet() > 1) {
                    eval.interrupt();
                }
            });
            if (startup != null) {
                eval.run(() -> session.run(SourceText.interactive(startup)));
            }
            terminal.writer().println(banner);
            terminal.writer().flush();
            return readEvalLoop(reader, session, eval, interrupts);
        }
    }

    private LineReader lineReader(ShellSession session) {
        return LineReaderBuilder.builder().terminal(terminal).appName("parvis")
                .completer(new ShellCompleter(session)).parser(new ShellLineParser())
                .variable(LineReader.HISTORY_FILE, historyFile)
                .variable(LineReader.HISTORY_SIZE, 5000)
                .variable(LineReader.HISTORY_FILE_SIZE, 5000)
                .variable(LineReader.SECONDARY_PROMPT_PATTERN, ">> ")
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                .option(LineReader.Option.HISTORY_IGNORE_DUPS, true)
                .build();
    }

    /** Reads and runs lines until {@code exit} (its code) or Ctrl-D (0); Ctrl-C at the prompt just prompts again. */
    private static int readEvalLoop(LineReader reader, ShellSession session, EvaluationThread eval, AtomicInteger interrupts) {
        while (true) {
            String line;
            try {
                line = reader.readLine(session.prompt());
            } catch (UserInterruptException e) {
                continue;
            } catch (EndOfFileException e) {
                return 0;
            }
            if (line.isBlank()) {
                continue;
            }
            interrupts.set(0);
            RunResult r = eval.run(() -> session.run(SourceText.interactive(line)));
            if (r.exited()) {
                return r.exitCode();
            }
        }
    }
}
