package dev.parvis.devices.vhdx.format;

/**
 * The arithmetic that ties a disk's size to its BAT ([MS-VHDX] 2.4-2.5; digest section 3.4-3.5):
 * chunk ratio, payload and sector bitmap block counts, the interleaved entry index of every block
 * and the number of entries the BAT region must hold.
 */
public record BatGeometry(long virtualDiskSize, long blockSize, int logicalSectorSize, boolean differencing) {

    public BatGeometry {
        if (!VhdxLayout.isPowerOfTwo(blockSize) || blockSize < VhdxLayout.MIN_BLOCK_SIZE
                || blockSize > VhdxLayout.MAX_BLOCK_SIZE || !VhdxLayout.isSectorSize(logicalSectorSize)
                || virtualDiskSize < 0 || virtualDiskSize > VhdxLayout.MAX_VIRTUAL_DISK_SIZE) {
            throw new IllegalArgumentException("geometry out of range: size " + virtualDiskSize + " block "
                    + blockSize + " sector " + logicalSectorSize);
        }
    }

    /** Bytes of virtual disk one sector bitmap block describes: 2^23 sectors. */
    public long chunkSize() {
        return VhdxLayout.SECTORS_PER_BITMAP_BLOCK * logicalSectorSize;
    }

    /** Payload blocks per sector bitmap block: (2^23 x LogicalSectorSize) / BlockSize. */
    public long chunkRatio() {
        return chunkSize() / blockSize;
    }

    public long payloadBlocks() {
        return Math.ceilDiv(virtualDiskSize, blockSize);
    }

    public long sectorBitmapBlocks() {
        return Math.ceilDiv(payloadBlocks(), chunkRatio());
    }

    /**
     * Entries the BAT must hold: for fixed and dynamic disks the last entry is the last payload block's;
     * for differencing disks it is the last chunk's sector bitmap entry ([S1.00], as QEMU computes it).
     */
    public long totalEntries() {
        long payload = payloadBlocks();
        if (differencing) {
            return sectorBitmapBlocks() * (chunkRatio() + 1);
        }
        return payload == 0 ? 0 : payload + (payload - 1) / chunkRatio();
    }

    /** The BAT index of payload block {@code block}: each chunk's bitmap entry follows its payload entries. */
    public long payloadEntryIndex(long block) {
        return block + block / chunkRatio();
    }

    /** The BAT index of chunk {@code chunk}'s sector bitmap entry. */
    public long bitmapEntryIndex(long chunk) {
        return chunk * (chunkRatio() + 1) + chunkRatio();
    }

    public boolean isBitmapEntryIndex(long index) {
        return index % (chunkRatio() + 1) == chunkRatio();
    }

    /** The payload block an entry index names (for a payload index). */
    public long blockOfEntryIndex(long index) {
        return index - index / (chunkRatio() + 1);
    }

    public long sectorsPerBlock() {
        return blockSize / logicalSectorSize;
    }

    /** Bytes of block {@code block} that lie inside the virtual disk (the last block may be partial). */
    public long usedBytesOfBlock(long block) {
        return Math.min(blockSize, virtualDiskSize - block * blockSize);
    }

    public BatGeometry withDifferencing(boolean value) {
        return new BatGeometry(virtualDiskSize, blockSize, logicalSectorSize, value);
    }

    public BatGeometry withVirtualDiskSize(long size) {
        return new BatGeometry(size, blockSize, logicalSectorSize, differencing);
    }
}
