package dev.parvis.devices.vhdx;

import dev.parvis.abi.vmbus.Guid;
import dev.parvis.devices.vhdx.format.ParentLocator;
import dev.parvis.devices.vhdx.format.VhdxFormatException;
import dev.parvis.devices.vhdx.format.VhdxStructure;
import dev.parvis.devices.vhdx.storage.FileStorage;
import dev.parvis.devices.vhdx.storage.VhdxStorage;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * An open VHDX virtual disk: one file and, for a differencing disk, its chain of read-only parents.
 *
 * <p>Thread safety: {@link #read}, {@link #write} and {@link #flush} may be called from any number of
 * threads at once and complete independently (an I/O executor may finish requests out of order).
 * A write returns once its bytes are in the file; it is durable after a later {@code flush} returns
 * (the SCSI write-cache model: SYNCHRONIZE CACHE maps to {@code flush}). {@link #resize},
 * {@link #inspect} and {@link #close} wait for requests in flight and hold others off. Calls block on
 * file I/O, so callers run them on an I/O executor, never on a control or processor thread, and never
 * interrupt a thread inside one (see {@link FileStorage}).
 *
 * <p>Requests are in bytes; offset and length must be multiples of the logical sector size and lie
 * inside the disk ({@link IllegalArgumentException} otherwise: the caller, e.g. a SCSI target,
 * validates guest requests and turns them into sense data first).
 */
public final class VhdxDisk implements AutoCloseable {
    /** Opens a differencing disk's parent, given the child's locator. */
    @FunctionalInterface
    public interface ParentResolver {
        VhdxDisk open(ParentLocator locator, int depth) throws IOException;
    }

    private final VhdxFile file;
    private final VhdxDisk parent;
    private final Path path;
    private final BlockIo io;
    private final ReentrantReadWriteLock structure = new ReentrantReadWriteLock();
    private boolean closed;

    private VhdxDisk(Path path, VhdxFile file, VhdxDisk parent) {
        this.path = path;
        this.file = file;
        this.parent = parent;
        this.io = new BlockIo(file, parent == null ? null : parent::readForChild);
    }

    /** Opens the VHDX file at {@code path} (and its parents), refusing anything malformed. */
    public static VhdxDisk open(Path path, OpenOptions options) throws IOException {
        return openChain(path, options, options.writable(), 0, new HashSet<>());
    }

    /**
     * Opens a VHDX held in {@code storage} (e.g. a heap image); {@code parents} opens the parent of a
     * differencing disk. The storage is closed with the disk, or at once if the open is refused.
     */
    public static VhdxDisk open(VhdxStorage storage, ParentResolver parents) throws IOException {
        return openStorage(null, storage, parents, 0);
    }

    static VhdxDisk openChain(Path path, OpenOptions options, boolean writable, int depth, Set<Object> visited)
            throws IOException {
        FileStorage storage = FileStorage.open(path, writable); // the checked open: refuses FIFOs, devices, links
        try {
            BasicFileAttributes attributes = FileStorage.inspect(path);
            if (!visited.add(attributes.fileKey() != null ? attributes.fileKey() : path.toAbsolutePath().normalize())) {
                throw new VhdxFormatException(VhdxStructure.PARENT, "path", path + " appears twice in its own chain");
            }
        } catch (IOException | RuntimeException e) {
            storage.close();
            throw e;
        }
        ParentResolver parents = (locator, parentDepth) -> {
            if (parentDepth > options.maxChainDepth()) {
                throw new VhdxFormatException(VhdxStructure.PARENT, "depth",
                        "the chain is deeper than " + options.maxChainDepth() + " parents");
            }
            Path parentPath = ParentLocation.resolve(path, locator, options.parentRoots());
            return openChain(parentPath, options.forParent(), false, parentDepth, visited);
        };
        return openStorage(path, storage, parents, depth);
    }

    private static VhdxDisk openStorage(Path path, VhdxStorage storage, ParentResolver parents, int depth)
            throws IOException {
        VhdxFile file = null;
        VhdxDisk parent = null;
        try {
            file = FileOpener.open(storage, storage.writable());
            if (file.metadata().type() == DiskType.DIFFERENCING) {
                ParentLocator locator = file.metadata().parentLocator().orElseThrow();
                parent = parents.open(locator, depth + 1);
                checkParent(file, locator, parent);
            }
            return new VhdxDisk(path, file, parent);
        } catch (IOException | RuntimeException e) {
            closeQuietly(parent, e);
            try {
                if (file != null) {
                    file.storage().close();
                } else {
                    storage.close();
                }
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** [MS-VHDX] 2.6.2.6.3 and 2.6.2.4: the parent's DataWriteGuid is one the child accepts; same sector size. */
    private static void checkParent(VhdxFile child, ParentLocator locator, VhdxDisk parent) throws VhdxFormatException {
        Guid parentId = parent.file.header().dataWriteGuid();
        if (!locator.acceptedParentIds().contains(parentId)) {
            throw new VhdxFormatException(VhdxStructure.PARENT, ParentLocator.PARENT_LINKAGE, child.name() + " expects parent "
                    + locator.acceptedParentIds() + " but " + parent.name() + " has DataWriteGuid " + parentId
                    + " (it was changed after the child was created)");
        }
        if (parent.logicalSectorSize() != child.metadata().logicalSectorSize()) {
            throw new VhdxFormatException(VhdxStructure.PARENT, "LogicalSectorSize", "parent " + parent.logicalSectorSize()
                    + " differs from child " + child.metadata().logicalSectorSize());
        }
    }

    private static void closeQuietly(VhdxDisk disk, Exception cause) {
        if (disk != null) {
            try {
                disk.close();
            } catch (IOException e) {
                cause.addSuppressed(e);
            }
        }
    }

    public String name() {
        return file.name();
    }

    /** The file's path, or null for a disk opened over a storage. */
    public Path path() {
        return path;
    }

    public long size() {
        return file.metadata().virtualDiskSize();
    }

    public int logicalSectorSize() {
        return file.metadata().logicalSectorSize();
    }

    public int physicalSectorSize() {
        return file.metadata().physicalSectorSize();
    }

    public Guid virtualDiskId() {
        return file.metadata().virtualDiskId();
    }

    public DiskType type() {
        return file.metadata().type();
    }

    public long blockSize() {
        return file.metadata().parameters().blockSize();
    }

    public boolean readOnly() {
        return !file.writable();
    }

    /** The parent of a differencing disk, or null. */
    public VhdxDisk parent() {
        return parent;
    }

    /** Reads {@code dst.remaining()} bytes at {@code offset}; {@code dst}'s position advances. */
    public void read(long offset, ByteBuffer dst) throws IOException {
        checkRequest(offset, dst.remaining());
        structure.readLock().lock();
        try {
            checkOpen();
            file.checkUsable(false);
            int length = dst.remaining();
            io.read(offset, dst.slice());
            dst.position(dst.position() + length);
        } finally {
            structure.readLock().unlock();
        }
    }

    /**
     * Reads {@code dst.byteSize()} bytes at {@code offset} if that needs no waiting: not for the
     * device (only page-cache hits of allocated payload, and blocks that read as zeros) and not for a
     * lock (a resize, inspection or close in progress). False otherwise (a request {@link #read} would
     * refuse included), and {@code dst} may then hold part of the bytes: the caller uses {@link #read},
     * which also reports any error. For a thread that must not block, such as a VMBus channel's turn.
     */
    public boolean readCached(long offset, MemorySegment dst) {
        if (!validRequest(offset, dst.byteSize()) || !structure.readLock().tryLock()) {
            return false;
        }
        try {
            return !closed && file.usable() && io.readCached(offset, dst);
        } finally {
            structure.readLock().unlock();
        }
    }

    /** Writes all of {@code src} at {@code offset}; {@code src}'s position advances. */
    public void write(long offset, ByteBuffer src) throws IOException {
        checkRequest(offset, src.remaining());
        structure.readLock().lock();
        try {
            checkOpen();
            file.checkUsable(true);
            int length = src.remaining();
            io.write(offset, src.slice());
            src.position(src.position() + length);
        } finally {
            structure.readLock().unlock();
        }
    }

    /** Makes every write that completed before this call durable, with the metadata that locates it. */
    public void flush() throws IOException {
        structure.readLock().lock();
        try {
            checkOpen();
            file.checkUsable(false);
            file.commit();
        } finally {
            structure.readLock().unlock();
        }
    }

    /**
     * Records in the file every block allocation and sector-bitmap change made so far (waiting for a
     * commit already under way), without the payload fsync power-loss durability needs: after it,
     * a process kill loses no completed write. Cheap when nothing is pending.
     */
    public void settle() throws IOException {
        structure.readLock().lock();
        try {
            checkOpen();
            file.checkUsable(false);
            file.settle();
        } finally {
            structure.readLock().unlock();
        }
    }

    /**
     * Whether a completed write allocated a block (or marked sectors present) that only a
     * {@link #flush} records in the file: until then a process kill would lose that write's data
     * although its bytes are in the file.
     */
    public boolean metadataPending() {
        return file.metadataPending();
    }

    /** Grows the disk to {@code newSize} bytes (a multiple of the logical sector size); shrinking is refused. */
    public void resize(long newSize) throws IOException {
        structure.writeLock().lock();
        try {
            checkOpen();
            file.checkUsable(true);
            DiskResize.grow(file, newSize);
        } finally {
            structure.writeLock().unlock();
        }
    }

    /** A description of the file for management: type, sizes, identities, log, regions, block states. */
    public VhdxInfo inspect() throws IOException {
        structure.writeLock().lock();
        try {
            return VhdxInfo.of(file, path, parent == null ? null : parent.inspect());
        } finally {
            structure.writeLock().unlock();
        }
    }

    /** Reads for a child: the part past this disk's end reads as zero. */
    private void readForChild(long offset, ByteBuffer dst) throws IOException {
        long inside = Math.max(0, Math.min(dst.remaining(), size() - offset));
        if (inside > 0) {
            read(offset, dst.slice(dst.position(), (int) inside));
        }
        BlockIo.zero(dst.slice(dst.position() + (int) inside, dst.remaining() - (int) inside));
    }

    /** Called under the structure lock, which orders it after {@link #close}. */
    private void checkOpen() throws IOException {
        if (closed) {
            throw new IOException(name() + " is closed");
        }
    }

    private boolean validRequest(long offset, long length) {
        int sector = logicalSectorSize();
        return offset >= 0 && length >= 0 && offset % sector == 0 && length % sector == 0 && offset <= size() - length;
    }

    private void checkRequest(long offset, long length) {
        if (!validRequest(offset, length)) {
            throw new IllegalArgumentException(name() + ": request [" + offset + ", +" + length
                    + ") is not sector-aligned inside a " + size() + "-byte disk");
        }
    }

    VhdxFile file() {
        return file;
    }

    BlockIo io() {
        return io;
    }

    ReentrantReadWriteLock structureLock() {
        return structure;
    }

    /** Flushes, marks the log empty, closes the file and its parents. Idempotent. */
    @Override
    public void close() throws IOException {
        structure.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            try {
                file.close();
            } finally {
                if (parent != null) {
                    parent.close();
                }
            }
        } finally {
            structure.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        return "VhdxDisk[" + name() + ", " + type() + ", " + size() + " bytes" + (readOnly() ? ", read-only" : "") + "]";
    }
}
