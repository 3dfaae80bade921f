package dev.parvis.shell.engine;

import static dev.parvis.shell.RunningCode.awaitFrameOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.shell.ShellFixture;
import dev.parvis.shell.syntax.ScriptParser;
import dev.parvis.shell.syntax.SourceText;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Ctrl-C (the session's cancel) stops a parse as it stops a running pipeline; the session then goes on. */
class ParseCancellationTest {
    /**
     * Nearly the longest script accepted, of simple statements (seconds to parse), with a syntax
     * error at its very end: a parse that runs to the end reports that error instead of the cancel.
     */
    private static final String SLOW_TO_PARSE = "$a = 1\n".repeat((ScriptParser.MAX_SCRIPT_CHARS - 10) / 7) + ")";

    @Test
    void ctrlCDuringAParseStopsItWithTheStoppedMessageAndTheSessionAnswersTheNextCommand() throws Exception {
        ShellFixture shell = new ShellFixture();
        FutureTask<RunResult> run = new FutureTask<>(() -> shell.session.run(SourceText.interactive(SLOW_TO_PARSE)));
        Thread evaluator = new Thread(run, "parse-cancel-eval");
        evaluator.setDaemon(true);
        evaluator.start();
        awaitFrameOf(evaluator, "dev.parvis.shell.grammar.ShellParser");
        shell.session.cancel();
        RunResult r = run.get(30, TimeUnit.SECONDS);
        assertFalse(r.success());
        assertTrue(shell.errors().contains("The pipeline has been stopped."), shell.errors());
        assertFalse(shell.errors().contains("ParserError"), "the parse ran to its syntax error: " + shell.errors());
        assertEquals("42", shell.out("6 * 7"));
    }

    @Test
    void theLexerMeetsTheCheckpointWhileItReadsTheScript() {
        AtomicInteger whileLexing = new AtomicInteger();
        Runnable checkpoint = () -> {
            boolean lexing = StackWalker.getInstance().walk(s -> s.anyMatch(f -> f.getMethodName().equals("fill")));
            if (lexing && whileLexing.incrementAndGet() == 3) {
                throw new Stop();
            }
        };
        assertThrows(Stop.class, () -> ScriptParser.parse(new SourceText("slow.ps1", SLOW_TO_PARSE), checkpoint));
        assertEquals(3, whileLexing.get());
    }

    private static final class Stop extends RuntimeException {
        Stop() {
            super("stop", null, false, false);
        }
    }
}
