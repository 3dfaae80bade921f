package dev.parvis.devices.vhdx.storage;

import dev.parvis.devices.vhdx.format.VhdxFormatException;
import dev.parvis.devices.vhdx.format.VhdxLayout;
import dev.parvis.devices.vhdx.format.VhdxStructure;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.Set;

/**
 * A VHDX file on disk, reached only through FileChannel positional reads and writes (safe from many
 * threads at once). Opening refuses anything but a regular file of bounded size, never follows a
 * symbolic link in the last path component, and checks that the inode opened is the one inspected.
 * A writable open holds an exclusive advisory lock, so two writers (this JVM or another process,
 * QEMU included) never share a file.
 *
 * <p>Threads that use a FileStorage must not be interrupted while inside it: the JDK closes an
 * interrupted FileChannel, after which every request fails with {@link java.nio.channels.ClosedChannelException}.
 */
public final class FileStorage implements VhdxStorage {
    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;
    private final boolean writable;

    private FileStorage(Path path, FileChannel channel, FileLock lock, boolean writable) {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
        this.writable = writable;
    }

    /** Opens an existing VHDX file after checking what it is; refusals are {@link VhdxFormatException}s. */
    public static FileStorage open(Path path, boolean writable) throws IOException {
        BasicFileAttributes before = inspect(path);
        Set<OpenOption> options = writable
                ? Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)
                : Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        FileChannel channel = FileChannel.open(path, options);
        try {
            BasicFileAttributes after = inspect(path);
            if (!Objects.equals(before.fileKey(), after.fileKey())) {
                throw refusal(path, "was replaced while it was being opened");
            }
            return new FileStorage(path, channel, writable ? exclusiveLock(path, channel) : null, writable);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Creates a new file (never replacing one) for a VHDX being created. */
    public static FileStorage createNew(Path path) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        try {
            return new FileStorage(path, channel, exclusiveLock(path, channel), true);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The file's attributes, refusing links, devices, FIFOs, directories and oversized files. */
    public static BasicFileAttributes inspect(Path path) throws IOException {
        BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (a.isSymbolicLink()) {
            throw refusal(path, "is a symbolic link; open its target by name");
        }
        if (!a.isRegularFile()) {
            throw refusal(path, "is not a regular file");
        }
        if (a.size() > VhdxLayout.MAX_FILE_SIZE) {
            throw refusal(path, "is " + a.size() + " bytes, more than the largest VHDX (" + VhdxLayout.MAX_FILE_SIZE + ")");
        }
        return a;
    }

    private static FileLock exclusiveLock(Path path, FileChannel channel) throws IOException {
        try {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw new IOException(path + " is open for writing in another process");
            }
            return lock;
        } catch (OverlappingFileLockException e) {
            throw new IOException(path + " is already open for writing in this process", e);
        }
    }

    private static VhdxFormatException refusal(Path path, String reason) {
        return new VhdxFormatException(VhdxStructure.FILE, "path", path + " " + reason);
    }

    public Path path() {
        return path;
    }

    @Override
    public String name() {
        return path.toString();
    }

    @Override
    public boolean writable() {
        return writable;
    }

    @Override
    public long size() throws IOException {
        return channel.size();
    }

    @Override
    public void read(long position, ByteBuffer dst) throws IOException {
        long at = position;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, at);
            if (n < 0) {
                throw new EOFException(path + ": read of " + dst.remaining() + " bytes at " + at + " passes the end");
            }
            at += n;
        }
    }

    @Override
    public void write(long position, ByteBuffer src) throws IOException {
        if (!writable) {
            throw new IOException(path + " is open read-only");
        }
        long at = position;
        while (src.hasRemaining()) {
            at += channel.write(src, at);
        }
    }

    @Override
    public void force() throws IOException {
        if (writable) {
            channel.force(true);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            if (lock != null && lock.isValid()) {
                lock.release();
            }
        } finally {
            channel.close();
        }
    }
}
