package dev.parvis.shell.console;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs the shell's work on one thread with a large stack (the interpreter walks syntax trees
 * recursively; the parser's nesting limits keep that well inside it). The prompt thread waits for
 * it and can interrupt it for a second Ctrl-C when the first could not stop a blocking call.
 */
final class EvaluationThread implements AutoCloseable {
    private static final long STACK_BYTES = 256L << 20;

    private volatile Thread worker;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(null, r, "parvis-shell-eval", STACK_BYTES);
        t.setDaemon(true);
        worker = t;
        return t;
    });

    <T> T run(Callable<T> work) {
        Future<T> f = executor.submit(work);
        while (true) {
            try {
                return f.get();
            } catch (InterruptedException e) {
                // the prompt thread is not interrupted by Ctrl-C; keep waiting for the evaluation
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException r) {
                    throw r;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(cause);
            }
        }
    }

    /** Interrupts a blocking call in the running evaluation. */
    void interrupt() {
        Thread t = worker;
        if (t != null) {
            t.interrupt();
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
