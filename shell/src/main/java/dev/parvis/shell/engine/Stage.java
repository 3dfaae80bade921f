package dev.parvis.shell.engine;

import dev.parvis.shell.command.Pipe;

/** One element of a running pipeline: begin once, process each input, end once, close always. */
interface Stage {
    void begin(Pipe out);

    void process(Object input, Pipe out);

    void end(Pipe out);

    /** Releases what begin took (a call-depth slot); runs even when the pipeline failed or stopped. */
    default void close() {
    }
}
