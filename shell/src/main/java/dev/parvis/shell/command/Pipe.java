package dev.parvis.shell.command;

/** Where a command writes its output objects: the next command in the pipeline, or the caller. */
@FunctionalInterface
public interface Pipe {
    /** The input a pipeline's first command gets: it is called once, with no object. */
    Object NO_INPUT = new Object() {
        @Override
        public String toString() {
            return "(no input)";
        }
    };

    void write(Object value);
}
