package dev.parvis.shell.command;

import dev.parvis.shell.runtime.ShellArray;

/**
 * The processor of a command that acts once on all of its input (Sort-Object, ConvertTo-Json,
 * Export-Csv): every record's {@code InputObject} is kept, within the collection limit of
 * {@link ShellArray}, and handed to the command's {@link Action} at the end of the pipeline.
 */
public final class WholeInput implements CommandProcessor {
    /** What the command does with everything it was given (possibly nothing). */
    @FunctionalInterface
    public interface Action {
        void end(ShellArray items, Pipe out);
    }

    private final ShellArray items = new ShellArray();
    private final Action action;

    public WholeInput(Action action) {
        this.action = action;
    }

    @Override
    public void process(Object input, BoundParameters record, Pipe out) {
        items.add(record.get("InputObject"));
    }

    @Override
    public void end(Pipe out) {
        action.end(items, out);
    }
}
