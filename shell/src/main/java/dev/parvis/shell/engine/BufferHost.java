package dev.parvis.shell.engine;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A host that keeps everything in memory: output, errors and warnings in one transcript (errors
 * also apart), answers to prompts from a queue. For embedding the shell and for tests.
 */
public final class BufferHost implements ShellHost {
    private final StringBuilder transcript = new StringBuilder();
    private final StringBuilder output = new StringBuilder();
    private final StringBuilder errors = new StringBuilder();
    private final Deque<String> answers = new ArrayDeque<>();
    private final int width;
    private final boolean interactive;

    public BufferHost(int width, boolean interactive) {
        this.width = width;
        this.interactive = interactive;
    }

    public BufferHost() {
        this(120, false);
    }

    /** Queues an answer for the next prompt. */
    public BufferHost answer(String line) {
        answers.add(line);
        return this;
    }

    @Override
    public synchronized void write(String text) {
        transcript.append(text);
        output.append(text);
    }

    @Override
    public synchronized void writeError(String text) {
        transcript.append(text);
        errors.append(text);
    }

    @Override
    public synchronized void writeWarning(String text) {
        transcript.append(text).append('\n');
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public boolean interactive() {
        return interactive;
    }

    @Override
    public synchronized String readLine(String prompt) {
        transcript.append(prompt);
        return answers.poll();
    }

    public synchronized String transcript() {
        return transcript.toString();
    }

    public synchronized String output() {
        return output.toString();
    }

    public synchronized String errors() {
        return errors.toString();
    }

    public synchronized void clear() {
        transcript.setLength(0);
        output.setLength(0);
        errors.setLength(0);
    }
}
