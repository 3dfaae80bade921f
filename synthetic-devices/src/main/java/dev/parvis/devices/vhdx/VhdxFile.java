package dev.parvis.devices.vhdx;

import dev.parvis.abi.vmbus.Guid;
import dev.parvis.devices.vhdx.format.LogUpdate;
import dev.parvis.devices.vhdx.format.RegionTable;
import dev.parvis.devices.vhdx.format.VhdxHeader;
import dev.parvis.devices.vhdx.format.VhdxLayout;
import dev.parvis.devices.vhdx.storage.VhdxStorage;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open VHDX file: its validated structures, where new blocks go, and the commit of metadata changes
 * through the log.
 *
 * <p>Ownership and locking. The BAT and sector bitmaps are read without locks. Every change to them,
 * and every claim of new file space, happens under {@link #allocationLock} (held for microseconds, never
 * across payload I/O). {@link #commit} runs under the commit lock: it takes the changed sectors under
 * the allocation lock, flushes the payload, then logs and applies them, so commits are serialized
 * while writers keep writing. Structural changes (resize) are excluded by the owner's
 * {@link VhdxDisk} read-write lock. After an I/O failure during a commit the file refuses all further
 * requests: its on-disk metadata is whatever the log will replay on the next open.
 */
final class VhdxFile implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(VhdxFile.class);
    final ReentrantLock allocationLock = new ReentrantLock();
    private final ReentrantLock commitLock = new ReentrantLock();
    private final VhdxStorage storage;
    private final HeaderSlots headers;
    private final String creator;
    private final boolean writable;
    private final int replayedEntries;
    private final int regionTableCopy;
    private final LogWriter log;
    private final SectorBitmaps bitmaps;
    private volatile RegionTable regions;
    private volatile DiskMetadata metadata;
    private volatile BlockAllocationTable bat;
    private long fileEnd;
    private volatile boolean sessionStarted;
    private volatile IOException failure;

    VhdxFile(VhdxStorage storage, HeaderSlots headers, String creator, boolean writable, int replayedEntries,
             boolean sessionStarted, RegionTable regions, int regionTableCopy, DiskMetadata metadata,
             BlockAllocationTable bat) throws IOException {
        this.storage = storage;
        this.headers = headers;
        this.creator = creator;
        this.writable = writable;
        this.replayedEntries = replayedEntries;
        this.sessionStarted = sessionStarted;
        this.regions = regions;
        this.regionTableCopy = regionTableCopy;
        this.metadata = metadata;
        this.bat = bat;
        this.log = new LogWriter(storage, headers);
        this.bitmaps = new SectorBitmaps(storage);
        this.fileEnd = VhdxLayout.roundUp(storage.size(), VhdxLayout.ALIGNMENT);
    }

    VhdxStorage storage() {
        return storage;
    }

    String name() {
        return storage.name();
    }

    boolean writable() {
        return writable;
    }

    VhdxHeader header() {
        return headers.current();
    }

    int headerSlot() {
        return headers.currentSlotNumber();
    }

    String creator() {
        return creator;
    }

    int replayedEntries() {
        return replayedEntries;
    }

    int regionTableCopy() {
        return regionTableCopy;
    }

    RegionTable regions() {
        return regions;
    }

    DiskMetadata metadata() {
        return metadata;
    }

    BlockAllocationTable bat() {
        return bat;
    }

    SectorBitmaps bitmaps() {
        return bitmaps;
    }

    LogWriter log() {
        return log;
    }

    /** Whether no earlier failure has made the file unusable until reopened. */
    boolean usable() {
        return failure == null;
    }

    /** Fails fast after an earlier commit failure, and refuses writes to a read-only file. */
    void checkUsable(boolean forWrite) throws IOException {
        IOException f = failure;
        if (f != null) {
            throw new IOException(name() + " failed earlier and must be reopened: " + f.getMessage(), f);
        }
        if (forWrite && !writable) {
            throw new IOException(name() + " is open read-only");
        }
    }

    /**
     * Before the session's first change: a new FileWriteGuid and DataWriteGuid in both headers
     * ([MS-VHDX] 2.2.2.1). A merge passes the DataWriteGuid it announced to the child beforehand, and
     * the headers then carry exactly that one even if the session had already started; otherwise the
     * GUID is random and set once per session.
     */
    void beginModification(Guid dataWriteGuid) throws IOException {
        if (sessionStarted && dataWriteGuid == null) {
            return;
        }
        synchronized (headers) {
            if (!sessionStarted || (dataWriteGuid != null && !dataWriteGuid.equals(headers.current().dataWriteGuid()))) {
                Guid data = dataWriteGuid != null ? dataWriteGuid : randomGuid();
                headers.update(h -> h.withWriteGuids(randomGuid(), data));
                sessionStarted = true;
            }
        }
    }

    boolean sessionStarted() {
        return sessionStarted;
    }

    static Guid randomGuid() {
        return Guid.fromUuid(UUID.randomUUID());
    }

    /** Claims {@code length} bytes at the 1 MiB-aligned end of the file and grows the file over them. */
    long reserve(long length) throws IOException {
        if (!allocationLock.isHeldByCurrentThread()) {
            throw new IllegalStateException("file space is claimed under the allocation lock");
        }
        long offset = fileEnd;
        if (offset + length > VhdxLayout.MAX_FILE_SIZE) {
            throw new IOException(name() + " would grow past the largest VHDX file");
        }
        storage.extendTo(offset + length);
        fileEnd = offset + length;
        return offset;
    }

    /** Whether writes changed BAT or bitmap entries that no commit has written to the file yet. */
    boolean metadataPending() {
        allocationLock.lock();
        try {
            return bat.hasDirty() || bitmaps.hasDirty();
        } finally {
            allocationLock.unlock();
        }
    }

    /**
     * Returns once every BAT and bitmap change made before the call is in the file, so a process
     * kill after it loses none of the writes completed so far. A commit in progress may already have
     * taken this caller's allocation off the dirty lists without having written it yet: waiting for
     * {@link #commitLock} first is what makes an empty dirty list mean "written".
     */
    void settle() throws IOException {
        commitLock.lock();
        try {
            if (metadataPending()) {
                commit();
            }
        } finally {
            commitLock.unlock();
        }
    }

    /**
     * Makes every completed write durable: payload flushed, then the changed BAT and bitmap sectors
     * logged and applied. Sector bitmap entries go first, then bitmap contents, then payload entries, so
     * a crash between two entries of one commit leaves only states the format allows.
     */
    void commit() throws IOException {
        commitWith(List.of());
    }

    /**
     * A commit whose {@code extra} sectors (region tables, metadata) must be replayed all or nothing:
     * pending BAT and bitmap changes are committed first, then {@code extra} as one log entry.
     */
    void commitWith(List<LogUpdate.Sector> extra) throws IOException {
        commitLock.lock();
        try {
            checkUsable(false);
            List<LogUpdate> updates = new ArrayList<>();
            long last;
            allocationLock.lock();
            try {
                updates.addAll(bat.takeDirtyBitmapEntries());
                updates.addAll(bitmaps.takeDirty());
                updates.addAll(bat.takeDirty());
                last = fileEnd;
            } finally {
                allocationLock.unlock();
            }
            if (!writable) {
                return;
            }
            storage.force();
            if (!updates.isEmpty()) {
                log.commit(updates, last);
            }
            if (!extra.isEmpty()) {
                log.commitAtomically(extra, last);
            }
        } catch (IOException | RuntimeException e) {
            if (failure == null) {
                LOG.error("{}: metadata commit failed; the file refuses further requests until reopened", name(), e);
            }
            failure = e instanceof IOException io ? io : new IOException(e);
            throw e;
        } finally {
            commitLock.unlock();
        }
    }

    /** Installs structures changed by a committed resize; the caller excludes all other requests. */
    void replace(RegionTable newRegions, DiskMetadata newMetadata, BlockAllocationTable newBat) {
        this.regions = newRegions;
        this.metadata = newMetadata;
        this.bat = newBat;
    }

    void replaceMetadata(DiskMetadata newMetadata) {
        this.metadata = newMetadata;
    }

    /** The end of the file space claimed so far (where the next block goes). */
    long fileEnd() {
        allocationLock.lock();
        try {
            return fileEnd;
        } finally {
            allocationLock.unlock();
        }
    }

    /**
     * Commits, clears the log from the headers and closes. A file that failed is closed as it is: its
     * log is replayed by the next open.
     */
    @Override
    public void close() throws IOException {
        try {
            if (writable && failure == null) {
                commit();
                log.close();
            }
        } finally {
            storage.close();
        }
    }
}
