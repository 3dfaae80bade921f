package dev.parvis.devices.vhdx;

import dev.parvis.devices.vhdx.format.BatEntry;
import dev.parvis.devices.vhdx.format.BatGeometry;
import dev.parvis.devices.vhdx.format.LogUpdate;
import dev.parvis.devices.vhdx.format.PayloadBlockState;
import dev.parvis.devices.vhdx.format.SectorBitmapState;
import dev.parvis.devices.vhdx.format.VhdxFormatException;
import dev.parvis.devices.vhdx.format.VhdxLayout;
import dev.parvis.devices.vhdx.format.VhdxStructure;
import dev.parvis.devices.vhdx.storage.VhdxStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The BAT in memory ([MS-VHDX] 2.5): every entry validated on load, read lock-free by the data path,
 * changed only by the owning file under its allocation lock, which also records the 4 KiB BAT sectors
 * that must go through the log. Entries past the last one the disk needs, up to the end of the last
 * sector, are kept as read so that a logged sector never changes them.
 */
final class BlockAllocationTable {
    static final int ENTRIES_PER_SECTOR = VhdxLayout.LOG_SECTOR_SIZE / BatEntry.SIZE;

    private final BatGeometry geometry;
    private final long regionOffset;
    private final AtomicLongArray entries;
    private final BitSet dirty = new BitSet();
    private final BitSet dirtyFirst = new BitSet();

    private BlockAllocationTable(BatGeometry geometry, long regionOffset, long[] raw) {
        this.geometry = geometry;
        this.regionOffset = regionOffset;
        this.entries = new AtomicLongArray(raw);
    }

    /** Entries a region must have room for, rounded up to whole 4 KiB sectors. */
    static long sectorsFor(BatGeometry geometry) {
        return Math.ceilDiv(geometry.totalEntries(), ENTRIES_PER_SECTOR);
    }

    /**
     * Loads and validates the BAT at {@code regionOffset}/{@code regionLength}: the region holds every
     * entry the disk needs; reserved bits are zero; each state is valid for its entry kind and the file
     * type; every block with data lies inside the file after the header section and overlaps nothing.
     */
    static BlockAllocationTable load(VhdxStorage storage, long regionOffset, long regionLength, BatGeometry geometry,
                                     FileExtents extents, long fileSize) throws IOException {
        long needed = geometry.totalEntries();
        if (needed * BatEntry.SIZE > regionLength) {
            throw new VhdxFormatException(VhdxStructure.BAT, "Length", "region of " + regionLength + " bytes holds "
                    + regionLength / BatEntry.SIZE + " entries but the disk needs " + needed);
        }
        long[] raw = new long[Math.toIntExact(sectorsFor(geometry) * ENTRIES_PER_SECTOR)];
        readEntries(storage, regionOffset, raw);
        BlockAllocationTable bat = new BlockAllocationTable(geometry, regionOffset, raw);
        bat.validate(raw, extents, fileSize);
        return bat;
    }

    /** A new, all NOT_PRESENT table (or with the given entries) for a region being written. */
    static BlockAllocationTable of(BatGeometry geometry, long regionOffset, long[] raw) {
        return new BlockAllocationTable(geometry, regionOffset, raw);
    }

    private static void readEntries(VhdxStorage storage, long offset, long[] into) throws IOException {
        int chunk = 128 * 1024;
        for (int from = 0; from < into.length; from += chunk) {
            int n = Math.min(chunk, into.length - from);
            ByteBuffer bytes = ByteBuffer.allocate(n * BatEntry.SIZE);
            storage.read(offset + (long) from * BatEntry.SIZE, bytes);
            bytes.flip().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(into, from, n);
        }
    }

    private void validate(long[] raw, FileExtents extents, long fileSize) throws VhdxFormatException {
        long total = geometry.totalEntries();
        int withData = 0;
        for (long i = 0; i < total; i++) {
            withData += checkEntry(i, new BatEntry(raw[(int) i]), fileSize) ? 1 : 0;
        }
        long[] blocks = new long[withData];
        int n = 0;
        for (long i = 0; i < total; i++) {
            BatEntry e = new BatEntry(raw[(int) i]);
            if (usesOffset(i, e)) {
                blocks[n++] = FileExtents.pack(e.fileOffset(), i);
            }
        }
        extents.checkBlocks(blocks, n, this::blockLength);
    }

    /** Checks one entry; true if it locates a block in the file. */
    private boolean checkEntry(long i, BatEntry e, long fileSize) throws VhdxFormatException {
        if (!e.reservedBitsClear()) {
            throw refusal(i, "reserved", "bits 3-19 are not zero (0x" + Long.toHexString(e.raw()) + ")");
        }
        if (geometry.isBitmapEntryIndex(i)) {
            int state = e.state();
            if (state == SectorBitmapState.NOT_PRESENT.raw()) {
                return false;
            }
            if (state != SectorBitmapState.PRESENT.raw() || !geometry.differencing()) {
                throw refusal(i, "State", "sector bitmap state " + e.bitmapState() + " is not valid in a "
                        + (geometry.differencing() ? "differencing" : "non-differencing") + " file");
            }
        } else {
            long block = geometry.blockOfEntryIndex(i);
            PayloadBlockState state = e.payloadState();
            if (block >= geometry.payloadBlocks() || state.readsAsZero() || state.equals(PayloadBlockState.NOT_PRESENT)) {
                return false;
            }
            if (state.equals(PayloadBlockState.PARTIALLY_PRESENT) && !geometry.differencing()) {
                throw refusal(i, "State", "PARTIALLY_PRESENT is only valid in a differencing file");
            }
            if (!state.hasData()) {
                throw refusal(i, "State", "payload state " + state + " is reserved");
            }
            if (state.equals(PayloadBlockState.PARTIALLY_PRESENT) && !bitmapPresent(block)) {
                throw refusal(i, "State", "PARTIALLY_PRESENT block whose chunk has no sector bitmap");
            }
        }
        checkPlace(i, e, fileSize);
        return true;
    }

    private void checkPlace(long i, BatEntry e, long fileSize) throws VhdxFormatException {
        long offset = e.fileOffset();
        long length = blockLength(i);
        if (Long.compareUnsigned(offset, VhdxLayout.HEADER_SECTION_SIZE) < 0) {
            throw refusal(i, "FileOffsetMB", "block at 0x" + Long.toHexString(offset) + " lies in the header section");
        }
        if (Long.compareUnsigned(offset, fileSize) >= 0 || offset + length > fileSize) {
            throw refusal(i, "FileOffsetMB", "block [0x" + Long.toHexString(offset) + ", +" + length
                    + ") ends past the file's " + fileSize + " bytes");
        }
    }

    private boolean bitmapPresent(long block) {
        long index = geometry.bitmapEntryIndex(block / geometry.chunkRatio());
        return index < entries.length() && new BatEntry(entries.get((int) index)).state() == SectorBitmapState.PRESENT.raw();
    }

    private boolean usesOffset(long i, BatEntry e) {
        if (geometry.isBitmapEntryIndex(i)) {
            return e.state() == SectorBitmapState.PRESENT.raw();
        }
        return geometry.blockOfEntryIndex(i) < geometry.payloadBlocks() && e.payloadState().hasData();
    }

    /** Bytes of the file a block needs: the used part of a payload block, or 1 MiB of sector bitmap. */
    long blockLength(long index) {
        return geometry.isBitmapEntryIndex(index) ? VhdxLayout.SECTOR_BITMAP_BLOCK_SIZE
                : geometry.usedBytesOfBlock(geometry.blockOfEntryIndex(index));
    }

    BatGeometry geometry() {
        return geometry;
    }

    long regionOffset() {
        return regionOffset;
    }

    BatEntry payload(long block) {
        return new BatEntry(entries.get((int) geometry.payloadEntryIndex(block)));
    }

    BatEntry bitmap(long chunk) {
        return new BatEntry(entries.get((int) geometry.bitmapEntryIndex(chunk)));
    }

    /** Changes a payload entry; the caller holds the owner's allocation lock. */
    void setPayload(long block, BatEntry entry) {
        int index = (int) geometry.payloadEntryIndex(block);
        entries.set(index, entry.raw());
        dirty.set(index / ENTRIES_PER_SECTOR);
    }

    /** Changes a sector bitmap entry; its sector is logged before any payload sector of the same commit. */
    void setBitmap(long chunk, BatEntry entry) {
        int index = (int) geometry.bitmapEntryIndex(chunk);
        entries.set(index, entry.raw());
        dirtyFirst.set(index / ENTRIES_PER_SECTOR);
    }

    boolean hasDirty() {
        return !dirty.isEmpty() || !dirtyFirst.isEmpty();
    }

    /**
     * The changed BAT sectors holding sector bitmap entries, and forgets them: a commit logs these before
     * any bitmap or payload sector, so no PARTIALLY_PRESENT entry is ever durable before its chunk's
     * bitmap entry. The caller holds the allocation lock.
     */
    List<LogUpdate.Sector> takeDirtyBitmapEntries() {
        List<LogUpdate.Sector> out = new ArrayList<>();
        dirtyFirst.stream().forEach(s -> out.add(sectorImage(s)));
        dirty.andNot(dirtyFirst);
        dirtyFirst.clear();
        return out;
    }

    /** The other changed BAT sectors, and forgets them; the caller holds the allocation lock. */
    List<LogUpdate.Sector> takeDirty() {
        List<LogUpdate.Sector> out = new ArrayList<>();
        dirty.stream().forEach(s -> out.add(sectorImage(s)));
        dirty.clear();
        return out;
    }

    LogUpdate.Sector sectorImage(int sector) {
        ByteBuffer bytes = ByteBuffer.allocate(VhdxLayout.LOG_SECTOR_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        LongBuffer longs = bytes.asLongBuffer();
        for (int i = 0; i < ENTRIES_PER_SECTOR; i++) {
            longs.put(i, entries.get(sector * ENTRIES_PER_SECTOR + i));
        }
        return new LogUpdate.Sector(regionOffset + (long) sector * VhdxLayout.LOG_SECTOR_SIZE, bytes.array());
    }

    /** All entries, for writing a relocated or new region. */
    long[] snapshot() {
        long[] out = new long[entries.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = entries.get(i);
        }
        return out;
    }

    /** The entries as the region's bytes (whole sectors). */
    static byte[] toBytes(long[] raw) {
        ByteBuffer bytes = ByteBuffer.allocate(raw.length * BatEntry.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asLongBuffer().put(raw);
        return bytes.array();
    }

    private static VhdxFormatException refusal(long index, String field, String reason) {
        return new VhdxFormatException(VhdxStructure.BAT, "entry " + index + " " + field, reason);
    }
}
