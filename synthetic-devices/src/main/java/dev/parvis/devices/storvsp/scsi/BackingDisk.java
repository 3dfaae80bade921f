package dev.parvis.devices.storvsp.scsi;

import dev.parvis.abi.vmbus.Guid;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * What a logical unit needs of a virtual disk. Calls block on file I/O and may come from several
 * threads at once; offsets and lengths are whole logical sectors inside the disk (the unit checks
 * guest requests first).
 */
public interface BackingDisk {

    String name();

    long sizeBytes();

    int logicalSectorSize();

    int physicalSectorSize();

    boolean readOnly();

    /** A stable identity for VPD page 0x83 and the serial number. */
    Guid identity();

    void read(long offset, ByteBuffer dst) throws IOException;

    /**
     * Reads {@code dst.byteSize()} bytes at {@code offset} only if that needs no waiting (the bytes
     * are in memory, no lock is held against it); false otherwise, and {@code dst} may then hold part
     * of the bytes. Never throws for an I/O problem: {@link #read} reports it. Safe on a VMBus turn.
     */
    default boolean readCached(long offset, MemorySegment dst) {
        return false;
    }

    void write(long offset, ByteBuffer src) throws IOException;

    void flush() throws IOException;

    /**
     * After a write and before it completes: records in the file whatever a process kill would
     * otherwise lose of the writes completed so far (a VHDX's new block allocations), so every
     * completed write survives the host process. Durability against power loss still waits for
     * {@link #flush} (SYNCHRONIZE CACHE, FUA: the write cache is on).
     */
    void settle() throws IOException;
}
