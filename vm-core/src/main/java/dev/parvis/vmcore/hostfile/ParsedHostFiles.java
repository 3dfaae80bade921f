package dev.parvis.vmcore.hostfile;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Host files read as {@link HostFile} reads them, parsed, and the parsed value reused while the file
 * is unchanged: a guest image that every start of a VM names is read and checked once, not on each
 * start. Every call still takes the path as an {@code O_PATH} handle and checks the object it holds
 * (a regular file within the bound); only then is the value parsed from the very same file (device
 * and inode) in the very same version (size and ctime, {@link HostFileVersion}) handed back. A value
 * is kept only when the file's version was the same before and after the read and its last change
 * was settled before the read began, so a file written meanwhile is read again next time. The parser
 * runs on every byte it is given, as without the cache: a value in it passed the parser once.
 *
 * <p>Bounded: at most {@code entries} files of at most {@code largestKept} bytes each, the least
 * recently used forgotten first; larger files are read every time. Safe for concurrent use.
 */
public final class ParsedHostFiles<T> {
    private final long maxBytes;
    private final HostFile.Links links;
    private final Function<byte[], T> parser;
    private final long largestKept;
    private final Map<Path, Kept<T>> kept;
    private final LongSupplier clock;

    private record Kept<T>(HostFileVersion version, T value) {}

    /**
     * @param maxBytes the largest file accepted at all (as {@link HostFile#read})
     * @param parser turns the bytes into the value; its exceptions reach the caller
     */
    public ParsedHostFiles(long maxBytes, HostFile.Links links, Function<byte[], T> parser, int entries, long largestKept) {
        this(maxBytes, links, parser, entries, largestKept, System::currentTimeMillis);
    }

    /** {@code clock}: the wall clock in epoch milliseconds, against which a file's last change must be settled. */
    ParsedHostFiles(long maxBytes, HostFile.Links links, Function<byte[], T> parser, int entries, long largestKept, LongSupplier clock) {
        this.clock = clock;
        this.maxBytes = maxBytes;
        this.links = links;
        this.parser = parser;
        this.largestKept = largestKept;
        this.kept = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Path, Kept<T>> eldest) {
                return size() > entries;
            }
        };
    }

    /**
     * The parsed content of {@code path}.
     *
     * @throws HostFileException if the file is missing, unreadable, not a regular file or larger than the bound
     */
    public T read(Path path) {
        long began = clock.getAsLong();
        try (HostFile.Checked checked = HostFile.checked(path, maxBytes, links)) {
            PathHandle handle = checked.handle();
            PathHandle.Status status = checked.status();
            T reused = reusable(path, status.version());
            if (reused != null) {
                return reused;
            }
            byte[] bytes;
            try (FileChannel channel = handle.openForReading()) {
                bytes = HostFile.readBounded(path, channel, status.size(), maxBytes);
            }
            T value = parser.apply(bytes);
            if (bytes.length <= largestKept && status.version().settledBefore(began) && handle.status().version().equals(status.version())) {
                synchronized (kept) {
                    kept.put(path, new Kept<>(status.version(), value));
                }
            }
            return value;
        } catch (IOException e) {
            throw HostFile.cannotRead(path, e);
        }
    }

    private T reusable(Path path, HostFileVersion version) {
        synchronized (kept) {
            Kept<T> k = kept.get(path);
            return k != null && version.known() && k.version().equals(version) ? k.value() : null;
        }
    }
}
