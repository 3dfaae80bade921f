package dev.parvis.vmcore.hostfile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads a file from the host's own disk that a configuration names or the root keeps, as hostile
 * input: only a regular file, at most a bound the caller (the host) chooses, never a device or a FIFO.
 *
 * <p>The path is first taken as an {@code O_PATH} handle ({@link PathHandle}), which opens nothing: a
 * FIFO cannot block it and a device's open never runs. The type and size come from that handle, and
 * only a regular file within the bound is then opened, through the same handle, so a path swapped
 * between the check and the read still reads the object that was checked. The read itself stops one
 * byte past the bound, so a file that grows meanwhile is refused, not swallowed.
 */
public final class HostFile {
    /** Whether a symbolic link at the path itself may be followed. */
    public enum Links {
        /** Follow links (a configuration may name a link to an image); the object reached is still checked. */
        FOLLOW,
        /** Refuse a link: for files the root writes itself, which are never links. */
        REFUSE
    }

    /** What {@link #open} opens a file for. */
    public enum Access {
        READ,
        READ_WRITE
    }

    /** Buffers never exceed this, whatever the bound: Java arrays stop just short of 2 GiB. */
    public static final long MAX_BOUND = Integer.MAX_VALUE - 16;
    private static final int FIRST_CHUNK = 64 * 1024;

    private HostFile() {
    }

    /**
     * The whole content of {@code path}.
     *
     * @param maxBytes the largest file accepted (at most {@link #MAX_BOUND})
     * @throws HostFileException if the file is missing, unreadable, not a regular file or larger than {@code maxBytes}
     */
    public static byte[] read(Path path, long maxBytes, Links links) {
        if (maxBytes > MAX_BOUND) {
            throw new IllegalArgumentException("bound " + maxBytes);
        }
        try (FileChannel channel = openForReading(path, maxBytes, links)) {
            return readBounded(path, channel, channel.size(), maxBytes);
        } catch (IOException e) {
            throw cannotRead(path, e);
        }
    }

    /**
     * Opens {@code path} for reading once it is proven a regular file of at most {@code maxBytes}, for
     * callers that stream it (a file copied into a guest). The caller still stops at
     * the size it was told: the file may grow after the check.
     *
     * @throws HostFileException if the file is missing, unreadable, not a regular file or larger than {@code maxBytes}
     */
    public static FileChannel openForReading(Path path, long maxBytes, Links links) {
        try (Checked checked = checked(path, maxBytes, links)) {
            return checked.handle().openForReading();
        } catch (IOException e) {
            throw cannotRead(path, e);
        }
    }

    /**
     * Opens {@code path}, once proven a regular file of at most {@code maxBytes}, for reading or for
     * reading and writing, with a {@link PageCacheReader} on the same object (a virtual disk, whose
     * data path serves cached reads where it must not wait).
     *
     * @throws HostFileException if the file is missing, cannot be opened so, is not a regular file or is larger than {@code maxBytes}
     */
    public static OpenedHostFile open(Path path, long maxBytes, Links links, Access access) {
        try (Checked checked = checked(path, maxBytes, links)) {
            PathHandle handle = checked.handle();
            FileChannel channel = access == Access.READ ? handle.openForReading() : handle.openForUpdate();
            try {
                return new OpenedHostFile(channel, new PageCacheReader(handle.openDescriptor()));
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        } catch (IOException e) {
            throw new HostFileException(path, "cannot open: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
        }
    }

    /** A handle on a file proven a regular file within the bound, with the status that proved it. */
    record Checked(PathHandle handle, PathHandle.Status status) implements AutoCloseable {
        @Override
        public void close() {
            handle.close();
        }
    }

    /** A handle on {@code path} once its object is proven a regular file of at most {@code maxBytes}. */
    static Checked checked(Path path, long maxBytes, Links links) throws IOException {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("bound " + maxBytes);
        }
        PathHandle handle = PathHandle.open(path, links == Links.FOLLOW);
        try {
            PathHandle.Status status = handle.status();
            if (status.kind() != FileKind.REGULAR) {
                throw new HostFileException(path, status.kind().description() + ", not a regular file");
            }
            if (status.size() > maxBytes) {
                throw tooLarge(path, status.size() + " bytes", maxBytes);
            }
            return new Checked(handle, status);
        } catch (IOException | RuntimeException e) {
            handle.close();
            throw e;
        }
    }

    static HostFileException cannotRead(Path path, IOException e) {
        return new HostFileException(path, "cannot read: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
    }

    static byte[] readBounded(Path path, FileChannel channel, long expected, long maxBytes) throws IOException {
        // One byte past the expected size, so growth is seen without a second stat.
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(maxBytes + 1, Math.max(expected + 1, FIRST_CHUNK)));
        while (channel.read(buffer) >= 0) {
            if (!buffer.hasRemaining()) {
                if (buffer.capacity() > maxBytes) {
                    throw tooLarge(path, "more than " + maxBytes + " bytes (it grew while being read)", maxBytes);
                }
                ByteBuffer larger = ByteBuffer.allocate((int) Math.min(maxBytes + 1, 2L * buffer.capacity()));
                larger.put(buffer.flip());
                buffer = larger;
            }
        }
        return Arrays.copyOf(buffer.array(), buffer.position());
    }

    private static HostFileException tooLarge(Path path, String size, long maxBytes) {
        return new HostFileException(path, "%s, larger than the %d bytes this host accepts for it".formatted(size, maxBytes));
    }
}
