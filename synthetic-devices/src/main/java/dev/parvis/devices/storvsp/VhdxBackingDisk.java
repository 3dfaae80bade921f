package dev.parvis.devices.storvsp;

import dev.parvis.abi.vmbus.Guid;
import dev.parvis.devices.storvsp.scsi.BackingDisk;
import dev.parvis.devices.vhdx.VhdxDisk;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/** A VHDX disk as a logical unit's backing; read-only when the disk is or when attached read-only. */
public record VhdxBackingDisk(VhdxDisk disk, boolean attachedReadOnly) implements BackingDisk {

    @Override
    public String name() {
        return disk.name();
    }

    @Override
    public long sizeBytes() {
        return disk.size();
    }

    @Override
    public int logicalSectorSize() {
        return disk.logicalSectorSize();
    }

    @Override
    public int physicalSectorSize() {
        return disk.physicalSectorSize();
    }

    @Override
    public boolean readOnly() {
        return attachedReadOnly || disk.readOnly();
    }

    @Override
    public Guid identity() {
        return disk.virtualDiskId();
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        disk.read(offset, dst);
    }

    @Override
    public boolean readCached(long offset, MemorySegment dst) {
        return disk.readCached(offset, dst);
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        disk.write(offset, src);
    }

    @Override
    public void flush() throws IOException {
        disk.flush();
    }

    /** A write that allocated a block commits the BAT change through the log (rare: once per new block). */
    @Override
    public void settle() throws IOException {
        disk.settle();
    }
}
