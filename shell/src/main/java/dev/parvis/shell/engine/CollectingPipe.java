package dev.parvis.shell.engine;

import dev.parvis.shell.command.Pipe;
import dev.parvis.shell.runtime.Limits;
import dev.parvis.shell.runtime.ShellArray;
import java.util.ArrayList;
import java.util.List;

/** Collects pipeline output (for assignments, parentheses, sub-expressions), within {@link Limits#MAX_ELEMENTS}. */
final class CollectingPipe implements Pipe {
    private final List<Object> items = new ArrayList<>();

    @Override
    public void write(Object value) {
        Limits.checkElements(items.size() + 1L);
        items.add(value);
    }

    List<Object> items() {
        return items;
    }

    /** PowerShell's rule for a statement's value: nothing is $null, one object is itself, more are an array. */
    Object value() {
        return items.isEmpty() ? null : items.size() == 1 ? items.get(0) : new ShellArray(items);
    }
}
