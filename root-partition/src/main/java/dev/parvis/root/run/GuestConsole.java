package dev.parvis.root.run;

import dev.parvis.vmcore.ChildDebugListener;
import dev.parvis.vmcore.DebugLines;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Prints children's debug output line by line, each line prefixed with the child's name. Memory is
 * bounded whatever a guest sends: lines are assembled by {@link DebugLines}, so a line longer than
 * {@link DebugLines#DEFAULT_MAX_LINE_BYTES} is printed in pieces, each but the last ending in
 * {@link #CONTINUED}; how fast a guest may print is bounded by the hypervisor's debug output budget.
 */
public final class GuestConsole implements ChildDebugListener {
    /** Ends a piece of a line that was too long to print whole. */
    public static final String CONTINUED = " [line continues]";

    private final PrintStream out;
    private final Map<Long, String> names = new ConcurrentHashMap<>();
    private final DebugLines lines = new DebugLines(this::print);

    public GuestConsole(PrintStream out) {
        this.out = out;
    }

    public void name(long partitionId, String name) {
        names.put(partitionId, name);
    }

    @Override
    public void debugData(long partitionId, byte[] data) {
        lines.debugData(partitionId, data);
    }

    @Override
    public void partitionGone(long partitionId) {
        lines.partitionGone(partitionId);
        names.remove(partitionId);
    }

    private void print(long partitionId, String text, boolean continued) {
        out.println("[" + names.getOrDefault(partitionId, "partition " + partitionId) + "] " + text + (continued ? CONTINUED : ""));
    }
}
