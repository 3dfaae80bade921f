package dev.parvis.vmcore;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns children's debug output (HvCallPostDebugData bytes) into lines, with bounded memory whatever
 * a guest sends: a line longer than {@code maxLineBytes} (a host choice, never a guest value) is
 * handed on in pieces of at most that many bytes, each but the last marked {@code continued}; at
 * most {@link #MAX_PARTITIONS} partial lines are kept (the least recently used is dropped), and a
 * deleted partition's partial line is handed on and forgotten. Control characters other than tab
 * are dropped; bytes are decoded as UTF-8 when a line is handed on.
 */
public final class DebugLines implements ChildDebugListener {
    /** The longest line kept by default: longer lines arrive in pieces. */
    public static final int DEFAULT_MAX_LINE_BYTES = 1024;
    /** Partial lines kept at once (one per partition that printed without a newline yet). */
    public static final int MAX_PARTITIONS = 1024;

    /** Where whole lines (or pieces of an over-long line) go. */
    @FunctionalInterface
    public interface Sink {
        /** @param continued true when the line goes on in the next piece (it was longer than the bound) */
        void line(long partitionId, String text, boolean continued);
    }

    private static final class Partial {
        final byte[] bytes;
        int length;

        Partial(int max) {
            bytes = new byte[max];
        }
    }

    private final int maxLineBytes;
    private final Sink sink;
    private final Map<Long, Partial> partial = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Partial> eldest) {
            return size() > MAX_PARTITIONS;
        }
    };

    public DebugLines(int maxLineBytes, Sink sink) {
        if (maxLineBytes < 1) {
            throw new IllegalArgumentException("line bound " + maxLineBytes);
        }
        this.maxLineBytes = maxLineBytes;
        this.sink = sink;
    }

    public DebugLines(Sink sink) {
        this(DEFAULT_MAX_LINE_BYTES, sink);
    }

    @Override
    public void debugData(long partitionId, byte[] data) {
        Partial line = lineOf(partitionId);
        synchronized (line) {
            for (byte b : data) {
                if (b == '\n') {
                    emit(partitionId, line, false);
                } else if ((b & 0xFF) >= ' ' && b != 0x7F || b == '\t') {
                    if (line.length == maxLineBytes) {
                        emit(partitionId, line, true);
                    }
                    line.bytes[line.length++] = b;
                }
            }
        }
    }

    @Override
    public void partitionGone(long partitionId) {
        Partial line;
        synchronized (partial) {
            line = partial.remove(partitionId);
        }
        if (line != null) {
            synchronized (line) {
                if (line.length > 0) {
                    emit(partitionId, line, false);
                }
            }
        }
    }

    /** Bytes of unfinished lines kept now, for tests and metrics. */
    public int keptBytes() {
        synchronized (partial) {
            return partial.values().stream().mapToInt(p -> p.bytes.length).sum();
        }
    }

    private Partial lineOf(long partitionId) {
        synchronized (partial) {
            return partial.computeIfAbsent(partitionId, id -> new Partial(maxLineBytes));
        }
    }

    private void emit(long partitionId, Partial line, boolean continued) {
        String text = new String(line.bytes, 0, line.length, StandardCharsets.UTF_8);
        line.length = 0;
        sink.line(partitionId, text, continued);
    }
}
