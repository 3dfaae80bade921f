package dev.parvis.root.run;

import dev.parvis.vmcore.ChildDebugListener;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Prints children's debug output line by line, each line prefixed with the child's name. */
public final class GuestConsole implements ChildDebugListener {
    private final PrintStream out;
    private final Map<Long, String> names = new ConcurrentHashMap<>();
    private final Map<Long, StringBuilder> partial = new ConcurrentHashMap<>();

    public GuestConsole(PrintStream out) {
        this.out = out;
    }

    public void name(long partitionId, String name) {
        names.put(partitionId, name);
    }

    @Override
    public void debugData(long partitionId, byte[] data) {
        StringBuilder line = partial.computeIfAbsent(partitionId, id -> new StringBuilder());
        synchronized (line) {
            for (char c : new String(data, StandardCharsets.UTF_8).toCharArray()) {
                if (c == '\n') {
                    out.println("[" + names.getOrDefault(partitionId, "partition " + partitionId) + "] " + line);
                    line.setLength(0);
                } else if (c >= ' ' || c == '\t') {
                    line.append(c);
                }
            }
        }
    }
}
