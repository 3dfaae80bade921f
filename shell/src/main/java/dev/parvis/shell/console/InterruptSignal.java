package dev.parvis.shell.console;

import dev.parvis.shell.engine.ShellSession;
import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (SIGINT) while {@code -File} or {@code -Command} runs: the first stops the running
 * pipeline, as at the prompt, so the script ends through the shell (its host closes, VMs get their
 * stop action) and the exit code says it was interrupted; a second interrupts a blocking call; a
 * third ends the process. Without a terminal JLine does not see the signal, so it is taken here.
 */
final class InterruptSignal implements AutoCloseable {
    /** The conventional exit code of a process ended by SIGINT (128 + 2). */
    static final int EXIT_CODE = 130;

    private static final Signal INT = new Signal("INT");

    private final AtomicInteger received = new AtomicInteger();
    private final SignalHandler previous;

    private InterruptSignal(ShellSession session, EvaluationThread eval) {
        this.previous = Signal.handle(INT, s -> {
            int n = received.incrementAndGet();
            session.cancel();
            if (n == 2) {
                eval.interrupt();
            } else if (n > 2) {
                System.exit(EXIT_CODE);
            }
        });
    }

    /** Takes SIGINT for {@code session} until closed. */
    static InterruptSignal install(ShellSession session, EvaluationThread eval) {
        return new InterruptSignal(session, eval);
    }

    boolean received() {
        return received.get() > 0;
    }

    @Override
    public void close() {
        Signal.handle(INT, previous);
    }
}
