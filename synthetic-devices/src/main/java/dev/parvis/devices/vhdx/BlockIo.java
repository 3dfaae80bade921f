package dev.parvis.devices.vhdx;

import dev.parvis.devices.vhdx.format.BatEntry;
import dev.parvis.devices.vhdx.format.BatGeometry;
import dev.parvis.devices.vhdx.format.PayloadBlockState;
import dev.parvis.devices.vhdx.format.SectorBitmapState;
import dev.parvis.devices.vhdx.format.VhdxLayout;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * The data path of one file ([MS-VHDX] 2.4-2.5): reads and writes split at block boundaries, each
 * block served by its BAT state. Unallocated blocks read as zeros, or from the parent in a differencing
 * file (per sector, through the sector bitmap, for PARTIALLY_PRESENT blocks). A write to an unallocated
 * block claims a new block at the end of the file under the allocation lock, publishes it, then writes
 * the payload outside the lock; the BAT change reaches the disk at the next commit.
 *
 * <p>In a differencing file a new block is published as PARTIALLY_PRESENT with no sector taken from
 * it, and its bits are set only after the payload write completes, so a crash (or a concurrent commit)
 * can never expose zeros where the parent's data belongs.
 */
final class BlockIo {
    /** Reads through to the parent disk; bytes past the parent's end read as zero. */
    interface ParentReader {
        void read(long offset, ByteBuffer dst) throws IOException;
    }

    private static final byte[] ZEROS = new byte[64 * 1024];

    private final VhdxFile file;
    private final ParentReader parent;

    BlockIo(VhdxFile file, ParentReader parent) {
        this.file = file;
        this.parent = parent;
    }

    /** One block's share of a request: {@code part} covers [at, at + part.remaining()), inside block {@code block}. */
    private interface BlockStep {
        void apply(long block, long inBlock, long at, ByteBuffer part) throws IOException;
    }

    /** Splits [offset, offset + buffer.remaining()) at block boundaries; {@code buffer}'s position advances. */
    private static void eachBlock(long blockSize, long offset, ByteBuffer buffer, BlockStep step) throws IOException {
        long at = offset;
        while (buffer.hasRemaining()) {
            long block = at / blockSize;
            long inBlock = at % blockSize;
            int n = (int) Math.min(buffer.remaining(), blockSize - inBlock);
            step.apply(block, inBlock, at, buffer.slice(buffer.position(), n));
            buffer.position(buffer.position() + n);
            at += n;
        }
    }

    void read(long offset, ByteBuffer dst) throws IOException {
        BlockAllocationTable bat = file.bat();
        eachBlock(bat.geometry().blockSize(), offset, dst,
                (block, inBlock, at, part) -> readBlock(bat, block, inBlock, at, part));
    }

    /**
     * Reads without waiting for the device, or returns false (then {@code dst} may hold part of the
     * bytes). Only what needs no metadata I/O is tried: payload of fully present blocks, through
     * {@link dev.parvis.devices.vhdx.storage.VhdxStorage#readCached}, and blocks that read as zeros;
     * a partially present block or one read from the parent is left to {@link #read}.
     */
    boolean readCached(long offset, MemorySegment dst) {
        BlockAllocationTable bat = file.bat();
        long blockSize = bat.geometry().blockSize();
        long done = 0;
        while (done < dst.byteSize()) {
            long at = offset + done;
            long inBlock = at % blockSize;
            long n = Math.min(dst.byteSize() - done, blockSize - inBlock);
            BatEntry e = bat.payload(at / blockSize);
            PayloadBlockState state = e.payloadState();
            MemorySegment part = dst.asSlice(done, n);
            if (state.equals(PayloadBlockState.FULLY_PRESENT)) {
                if (!file.storage().readCached(e.fileOffset() + inBlock, part)) {
                    return false;
                }
            } else if (state.equals(PayloadBlockState.PARTIALLY_PRESENT)
                    || (state.equals(PayloadBlockState.NOT_PRESENT) && parent != null)) {
                return false;
            } else {
                part.fill((byte) 0);
            }
            done += n;
        }
        return true;
    }

    private void readBlock(BlockAllocationTable bat, long block, long inBlock, long at, ByteBuffer part) throws IOException {
        BatEntry e = bat.payload(block);
        PayloadBlockState state = e.payloadState();
        if (state.equals(PayloadBlockState.FULLY_PRESENT)) {
            file.storage().read(e.fileOffset() + inBlock, part);
        } else if (state.equals(PayloadBlockState.PARTIALLY_PRESENT)) {
            readPartial(bat, block, inBlock, at, e, part);
        } else if (state.equals(PayloadBlockState.NOT_PRESENT) && parent != null) {
            parent.read(at, part);
        } else {
            zero(part);
        }
    }

    private void readPartial(BlockAllocationTable bat, long block, long inBlock, long at, BatEntry e, ByteBuffer part)
            throws IOException {
        BatGeometry g = bat.geometry();
        long chunk = block / g.chunkRatio();
        ensureBitmapLoaded(bat, chunk);
        int sectorSize = g.logicalSectorSize();
        long sector = firstSectorInChunk(g, block) + inBlock / sectorSize;
        int done = 0;
        while (done < part.remaining()) {
            int sectorsLeft = (part.remaining() - done) / sectorSize;
            int run = file.bitmaps().run(chunk, sector, sectorsLeft);
            ByteBuffer slice = part.slice(done, run * sectorSize);
            if (file.bitmaps().get(chunk, sector)) {
                file.storage().read(e.fileOffset() + inBlock + done, slice);
            } else if (parent != null) {
                parent.read(at + done, slice);
            } else {
                zero(slice);
            }
            done += run * sectorSize;
            sector += run;
        }
    }

    private static long firstSectorInChunk(BatGeometry g, long block) {
        return (block % g.chunkRatio()) * g.sectorsPerBlock();
    }

    private void ensureBitmapLoaded(BlockAllocationTable bat, long chunk) throws IOException {
        if (!file.bitmaps().isLoaded(chunk)) {
            file.bitmaps().load(chunk, bat.bitmap(chunk).fileOffset());
        }
    }

    void write(long offset, ByteBuffer src) throws IOException {
        file.beginModification(null);
        BlockAllocationTable bat = file.bat();
        eachBlock(bat.geometry().blockSize(), offset, src,
                (block, inBlock, at, part) -> writeBlock(bat, block, inBlock, part));
    }

    private void writeBlock(BlockAllocationTable bat, long block, long inBlock, ByteBuffer part) throws IOException {
        BatEntry e = bat.payload(block);
        PayloadBlockState state = e.payloadState();
        if (state.equals(PayloadBlockState.FULLY_PRESENT)) {
            file.storage().write(e.fileOffset() + inBlock, part);
        } else if (state.equals(PayloadBlockState.PARTIALLY_PRESENT)) {
            int length = part.remaining();
            file.storage().write(e.fileOffset() + inBlock, part);
            markWritten(bat, block, inBlock, length);
        } else {
            allocateAndWrite(bat, block, inBlock, part);
        }
    }

    private void allocateAndWrite(BlockAllocationTable bat, long block, long inBlock, ByteBuffer part) throws IOException {
        BatGeometry g = bat.geometry();
        long target;
        boolean partial;
        file.allocationLock.lock();
        try {
            BatEntry now = bat.payload(block);
            if (now.payloadState().hasData()) {
                target = -1;
                partial = false;
            } else {
                partial = g.differencing() && now.payloadState().equals(PayloadBlockState.NOT_PRESENT);
                target = file.reserve(g.blockSize());
                if (partial) {
                    ensureBitmapBlock(bat, block / g.chunkRatio());
                }
                bat.setPayload(block, BatEntry.of(partial ? PayloadBlockState.PARTIALLY_PRESENT.raw()
                        : PayloadBlockState.FULLY_PRESENT.raw(), target));
            }
        } finally {
            file.allocationLock.unlock();
        }
        if (target < 0) {
            writeBlock(bat, block, inBlock, part);
            return;
        }
        int length = part.remaining();
        file.storage().write(target + inBlock, part);
        if (partial) {
            markWritten(bat, block, inBlock, length);
        }
    }

    /** Gives chunk {@code chunk} a sector bitmap: loads the present one or claims a new, all-zero block. */
    private void ensureBitmapBlock(BlockAllocationTable bat, long chunk) throws IOException {
        BatEntry entry = bat.bitmap(chunk);
        if (entry.state() == SectorBitmapState.PRESENT.raw()) {
            ensureBitmapLoaded(bat, chunk);
            return;
        }
        long offset = file.reserve(VhdxLayout.SECTOR_BITMAP_BLOCK_SIZE);
        file.bitmaps().create(chunk, offset);
        bat.setBitmap(chunk, BatEntry.of(SectorBitmapState.PRESENT.raw(), offset));
    }

    /**
     * Records that [inBlock, inBlock+length) of a PARTIALLY_PRESENT block now lives in this file; a block
     * whose every sector is set becomes FULLY_PRESENT.
     */
    private void markWritten(BlockAllocationTable bat, long block, long inBlock, int length) throws IOException {
        BatGeometry g = bat.geometry();
        long chunk = block / g.chunkRatio();
        long first = firstSectorInChunk(g, block);
        file.allocationLock.lock();
        try {
            ensureBitmapLoaded(bat, chunk);
            file.bitmaps().set(chunk, first + inBlock / g.logicalSectorSize(), length / g.logicalSectorSize());
            BatEntry now = bat.payload(block);
            if (now.payloadState().equals(PayloadBlockState.PARTIALLY_PRESENT)
                    && (length == g.blockSize() || file.bitmaps().allSet(chunk, first, g.sectorsPerBlock()))) {
                bat.setPayload(block, BatEntry.of(PayloadBlockState.FULLY_PRESENT.raw(), now.fileOffset()));
            }
        } finally {
            file.allocationLock.unlock();
        }
    }

    /**
     * Makes a whole block read as zeros: the ZERO state, or in a fixed disk (whose blocks may not move
     * to another state, [MS-VHDX] 2.5.1.1 note 6) zeros written over its payload; a fixed disk's block
     * without payload already reads as zeros. Used by merge; the caller excludes other requests.
     */
    void zeroBlock(long block) throws IOException {
        file.beginModification(null);
        BlockAllocationTable bat = file.bat();
        BatGeometry g = bat.geometry();
        BatEntry e = bat.payload(block);
        if (file.metadata().type() == DiskType.FIXED) {
            if (e.payloadState().equals(PayloadBlockState.FULLY_PRESENT)) {
                long length = g.usedBytesOfBlock(block);
                for (long done = 0; done < length; done += ZEROS.length) {
                    file.storage().write(e.fileOffset() + done, ByteBuffer.wrap(ZEROS, 0, (int) Math.min(ZEROS.length, length - done)));
                }
            }
            return;
        }
        file.allocationLock.lock();
        try {
            bat.setPayload(block, BatEntry.of(PayloadBlockState.ZERO.raw(), 0));
        } finally {
            file.allocationLock.unlock();
        }
    }

    static void zero(ByteBuffer part) {
        for (int at = 0; at < part.remaining(); at += ZEROS.length) {
            part.put(part.position() + at, ZEROS, 0, Math.min(ZEROS.length, part.remaining() - at));
        }
    }
}
