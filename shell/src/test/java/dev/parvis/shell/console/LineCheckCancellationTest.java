package dev.parvis.shell.console;

import static dev.parvis.shell.RunningCode.awaitFrameOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.shell.syntax.ScriptParser;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.Parser.ParseContext;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Size;
import org.jline.terminal.impl.ExternalTerminal;
import org.junit.jupiter.api.Test;

/**
 * Ctrl-C while the prompt checks whether a huge pasted line is complete (a parse of seconds on
 * JLine's thread) drops the line, as Ctrl-C at the prompt does, instead of leaving the prompt hung.
 */
class LineCheckCancellationTest {
    /**
     * One line of nearly the longest script accepted (seconds to parse), ending in a pipe (no bracket
     * left open, so the check parses it): a check that runs to its end asks for another line
     * ({@code EOFError}) instead of being stopped.
     */
    private static final String HUGE_UNFINISHED_LINE = "$a = 1; ".repeat((ScriptParser.MAX_SCRIPT_CHARS - 20) / 8) + "$a |";

    @Test
    void anInterruptOfTheReadingThreadStopsTheRunningCheckAndIsConsumed() throws Exception {
        AtomicBoolean interruptLeft = new AtomicBoolean();
        FutureTask<Object> check = new FutureTask<>(() -> {
            try {
                return new ShellLineParser().parse(HUGE_UNFINISHED_LINE, HUGE_UNFINISHED_LINE.length(), ParseContext.ACCEPT_LINE);
            } finally {
                interruptLeft.set(Thread.currentThread().isInterrupted());
            }
        });
        Thread reader = daemon(check, "line-check");
        awaitFrameOf(reader, "dev.parvis.shell.grammar.ShellParser");
        reader.interrupt();
        ExecutionException e = assertThrows(ExecutionException.class, () -> check.get(30, TimeUnit.SECONDS));
        UserInterruptException stop = assertInstanceOf(UserInterruptException.class, e.getCause());
        assertTrue(HUGE_UNFINISHED_LINE.equals(stop.getPartialLine()), "the line typed is the line dropped");
        assertFalse(interruptLeft.get(), "the interrupt was consumed: JLine's next read would otherwise end at once");
    }

    /** Through JLine itself, on a terminal made of pipes: Enter starts the check, Ctrl-C stops it, the next line reads normally. */
    @Test
    void ctrlCAtThePromptStopsTheCheckOfAHugeLineAndTheNextLineIsRead() throws Exception {
        PipedOutputStream keys = new PipedOutputStream();
        try (ExternalTerminal terminal = new ExternalTerminal("test", "ansi", new PipedInputStream(keys, 1 << 16), OutputStream.nullOutputStream(),
                StandardCharsets.UTF_8)) {
            terminal.setSize(new Size(160, 50));
            LineReader lines = LineReaderBuilder.builder().terminal(terminal).parser(new ShellLineParser())
                    .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true).build();
            FutureTask<String> read = new FutureTask<>(() -> lines.readLine("PS> ", null, (Character) null, HUGE_UNFINISHED_LINE));
            Thread reader = daemon(read, "prompt");
            type(keys, "\r");
            awaitFrameOf(reader, "dev.parvis.shell.grammar.ShellParser");
            type(keys, "\u0003");
            ExecutionException e = assertThrows(ExecutionException.class, () -> read.get(30, TimeUnit.SECONDS));
            UserInterruptException stop = assertInstanceOf(UserInterruptException.class, e.getCause());
            // a finished check asks for another line, adding a line break to the input; Ctrl-C then ends that read
            assertTrue(HUGE_UNFINISHED_LINE.equals(stop.getPartialLine()), "the check was stopped, not finished");

            FutureTask<String> next = new FutureTask<>(() -> lines.readLine("PS> "));
            daemon(next, "prompt-again");
            type(keys, "6*7\r");
            assertEquals("6*7", next.get(30, TimeUnit.SECONDS));
        }
    }

    private static void type(PipedOutputStream keys, String text) throws IOException {
        keys.write(text.getBytes(StandardCharsets.UTF_8));
        keys.flush();
    }

    private static Thread daemon(Runnable work, String name) {
        Thread t = new Thread(work, name);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
