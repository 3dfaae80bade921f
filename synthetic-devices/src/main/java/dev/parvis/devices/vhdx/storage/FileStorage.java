package dev.parvis.devices.vhdx.storage;

import dev.parvis.devices.vhdx.format.VhdxFormatException;
import dev.parvis.devices.vhdx.format.VhdxLayout;
import dev.parvis.devices.vhdx.format.VhdxStructure;
import dev.parvis.vmcore.hostfile.HostFile;
import dev.parvis.vmcore.hostfile.HostFileException;
import dev.parvis.vmcore.hostfile.OpenedHostFile;
import dev.parvis.vmcore.hostfile.PageCacheReader;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A VHDX file on disk, reached through FileChannel positional reads and writes (safe from many
 * threads at once) and, for reads that must not wait, a {@link PageCacheReader}. The file is hostile
 * input named by a configuration: {@link HostFile} opens it only as a regular file of bounded size,
 * never through a symbolic link in the last path component, and checks the very object it opens (a
 * path swapped for a FIFO or a device between check and open is still refused). A writable open holds
 * an exclusive advisory lock, so two writers (this JVM or another process, QEMU included) never share a file.
 *
 * <p>Threads that use a FileStorage must not be interrupted while inside it: the JDK closes an
 * interrupted FileChannel, after which every request fails with {@link java.nio.channels.ClosedChannelException}.
 */
public final class FileStorage implements VhdxStorage {
    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;
    private final boolean writable;
    /** Null for a file this process created (it serves no guest until reopened). */
    private final PageCacheReader pageCache;

    private FileStorage(Path path, FileChannel channel, FileLock lock, boolean writable, PageCacheReader pageCache) {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
        this.writable = writable;
        this.pageCache = pageCache;
    }

    /** Opens an existing VHDX file after checking what it is; refusals are {@link VhdxFormatException}s. */
    public static FileStorage open(Path path, boolean writable) throws IOException {
        OpenedHostFile opened;
        try {
            opened = HostFile.open(path, VhdxLayout.MAX_FILE_SIZE, HostFile.Links.REFUSE,
                    writable ? HostFile.Access.READ_WRITE : HostFile.Access.READ);
        } catch (HostFileException e) {
            throw new VhdxFormatException(VhdxStructure.FILE, "path", e.getMessage());
        }
        try {
            return new FileStorage(path, opened.channel(), writable ? exclusiveLock(path, opened.channel()) : null,
                    writable, opened.pageCache());
        } catch (IOException | RuntimeException e) {
            opened.close();
            throw e;
        }
    }

    /** Creates a new file (never replacing one) for a VHDX being created. */
    public static FileStorage createNew(Path path) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        try {
            return new FileStorage(path, channel, exclusiveLock(path, channel), true, null);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * The attributes of what {@code path} names now, refusing links, devices, FIFOs, directories and
     * oversized files (a stat: it opens nothing). Only {@link #open} decides what is opened.
     */
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
    public boolean readCached(long position, MemorySegment dst) {
        return pageCache != null && pageCache.readCached(position, dst);
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
            if (pageCache != null) {
                pageCache.close();
            }
            channel.close();
        }
    }
}
