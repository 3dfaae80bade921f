package dev.parvis.shell.command;

/**
 * One command's work in one pipeline, PowerShell's begin/process/end: {@link #process} runs once
 * per input object ({@link Pipe#NO_INPUT} once when the command is first), with the parameters
 * bound for that object (the command line's, plus any taken from the object by value or property name).
 */
public interface CommandProcessor {
    default void begin(Pipe out) {
    }

    void process(Object input, BoundParameters parameters, Pipe out);

    default void end(Pipe out) {
    }
}
