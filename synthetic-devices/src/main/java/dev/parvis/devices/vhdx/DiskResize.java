package dev.parvis.devices.vhdx;

import dev.parvis.devices.vhdx.format.BatEntry;
import dev.parvis.devices.vhdx.format.BatGeometry;
import dev.parvis.devices.vhdx.format.MetadataItem;
import dev.parvis.devices.vhdx.format.PayloadBlockState;
import dev.parvis.devices.vhdx.format.RegionTable;
import dev.parvis.devices.vhdx.format.RegionTableEntry;
import dev.parvis.devices.vhdx.format.VhdxLayout;
import dev.parvis.devices.vhdx.storage.VhdxStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Growing a disk ([MS-VHDX] 2.2.2, 2.5, 2.6.2.2; digest 4.5). The new BAT entries, the Virtual Disk
 * Size item and, when the BAT region is too small or too many of its sectors would change, a relocated
 * BAT (written to new space, then named by both region tables) are committed as ONE log entry, so a
 * crash leaves either the old disk or the new one. A fixed disk gets its new blocks allocated; a
 * partial last block whose full extent is not free is first copied to a whole new block.
 */
final class DiskResize {
    private DiskResize() {
    }

    static void grow(VhdxFile file, long newSize) throws IOException {
        DiskMetadata metadata = file.metadata();
        BatGeometry old = file.bat().geometry();
        if (newSize % metadata.logicalSectorSize() != 0 || newSize > VhdxLayout.MAX_VIRTUAL_DISK_SIZE) {
            throw new IllegalArgumentException(newSize + " is not a multiple of " + metadata.logicalSectorSize() + " up to 64 TiB");
        }
        if (newSize < old.virtualDiskSize()) {
            throw new IllegalArgumentException("shrinking " + file.name() + " from " + old.virtualDiskSize() + " to "
                    + newSize + " would lose data; only growing is supported");
        }
        if (newSize == old.virtualDiskSize()) {
            return;
        }
        file.beginModification(null);
        file.commit();
        BatGeometry grown = old.withVirtualDiskSize(newSize);
        long[] entries = Arrays.copyOf(file.bat().snapshot(),
                Math.toIntExact(BlockAllocationTable.sectorsFor(grown) * BlockAllocationTable.ENTRIES_PER_SECTOR));
        Arrays.fill(entries, (int) old.totalEntries(), (int) grown.totalEntries(), 0);
        file.allocationLock.lock();
        try {
            movePartialLastBlock(file, old, entries);
            if (metadata.type() == DiskType.FIXED) {
                allocateNewBlocks(file, old, grown, entries);
            }
        } finally {
            file.allocationLock.unlock();
        }
        SectorPatch patch = new SectorPatch(file.storage());
        RegionTable regions = placeBat(file, patch, old, grown, entries);
        DiskMetadata grownMetadata = metadata.stageItem(patch, MetadataItem.VIRTUAL_DISK_SIZE, VhdxCreator.le(newSize, 8))
                .withVirtualDiskSize(newSize);
        file.commitWith(patch.updates());
        long batOffset = regions.find(RegionTable.BAT_REGION).orElseThrow().fileOffset();
        file.replace(regions, grownMetadata, BlockAllocationTable.of(grown, batOffset, entries));
    }

    /**
     * A FULLY_PRESENT last block that ends inside the file's last MiB (QEMU sizes fixed images to the
     * disk, not the block) may have a block claimed right after it; it moves to a whole block first.
     */
    private static void movePartialLastBlock(VhdxFile file, BatGeometry old, long[] entries) throws IOException {
        long last = old.payloadBlocks() - 1;
        if (last < 0) {
            return;
        }
        int index = (int) old.payloadEntryIndex(last);
        BatEntry e = new BatEntry(entries[index]);
        long used = old.usedBytesOfBlock(last);
        if (!e.payloadState().hasData() || VhdxLayout.roundUp(used, VhdxLayout.MIB) >= old.blockSize()) {
            return;
        }
        long target = file.reserve(old.blockSize());
        VhdxStorage storage = file.storage();
        ByteBuffer buffer = ByteBuffer.allocate((int) used);
        storage.read(e.fileOffset(), buffer);
        storage.write(target, buffer.flip());
        entries[index] = BatEntry.of(e.state(), target).raw();
    }

    private static void allocateNewBlocks(VhdxFile file, BatGeometry old, BatGeometry grown, long[] entries)
            throws IOException {
        long count = grown.payloadBlocks() - old.payloadBlocks();
        long offset = file.reserve(count * grown.blockSize());
        for (long block = old.payloadBlocks(); block < grown.payloadBlocks(); block++) {
            entries[(int) grown.payloadEntryIndex(block)] = BatEntry.of(PayloadBlockState.FULLY_PRESENT.raw(), offset).raw();
            offset += grown.blockSize();
        }
    }

    /**
     * Stages the new entries: into the current region when it is large enough and the change fits one
     * log entry, else into a new region (written now, flushed by the commit before it is named) and
     * both region tables. Returns the region table as it will be.
     */
    private static RegionTable placeBat(VhdxFile file, SectorPatch patch, BatGeometry old, BatGeometry grown,
                                        long[] entries) throws IOException {
        RegionTable regions = file.regions();
        RegionTableEntry region = regions.find(RegionTable.BAT_REGION).orElseThrow();
        byte[] image = BlockAllocationTable.toBytes(entries);
        long firstChanged = changedFrom(old, entries, file.bat().snapshot());
        long changedSectors = Math.ceilDiv(grown.totalEntries() * BatEntry.SIZE, VhdxLayout.LOG_SECTOR_SIZE)
                - firstChanged / BlockAllocationTable.ENTRIES_PER_SECTOR;
        boolean fits = grown.totalEntries() * BatEntry.SIZE <= region.length()
                && changedSectors + 8 <= file.log().maxUpdatesPerEntry();
        if (fits) {
            int from = (int) (firstChanged * BatEntry.SIZE);
            patch.write(region.fileOffset() + from, Arrays.copyOfRange(image, from, image.length));
            return regions;
        }
        long length = VhdxLayout.roundUp(image.length, VhdxLayout.MIB);
        long offset;
        file.allocationLock.lock();
        try {
            offset = file.reserve(length);
        } finally {
            file.allocationLock.unlock();
        }
        file.storage().writeBytes(offset, image);
        RegionTable moved = regions.with(region.movedTo(offset, length));
        byte[] table = moved.toBytes();
        patch.write(VhdxLayout.REGION_TABLE_1_OFFSET, table);
        patch.write(VhdxLayout.REGION_TABLE_2_OFFSET, table);
        return moved;
    }

    /** The first entry index whose value changes (new entries, or a moved last block). */
    private static long changedFrom(BatGeometry old, long[] entries, long[] before) {
        for (int i = 0; i < old.totalEntries(); i++) {
            if (entries[i] != before[i]) {
                return i;
            }
        }
        return old.totalEntries();
    }

}
