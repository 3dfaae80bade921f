package dev.parvis.shell;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/** Waits until a thread runs given code: how a cancellation test proves the work it stops was under way. */
public final class RunningCode {
    private RunningCode() {
    }

    /** Waits until {@code thread} runs code of {@code className} (for a parse: the lexer is done and the parser at work). */
    public static void awaitFrameOf(Thread thread, String className) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && thread.isAlive()) {
            if (Arrays.stream(thread.getStackTrace()).anyMatch(f -> f.getClassName().equals(className))) {
                return;
            }
            Thread.sleep(1);
        }
        throw new AssertionError("the thread never reached " + className + " (it ended or took over a minute)");
    }
}
