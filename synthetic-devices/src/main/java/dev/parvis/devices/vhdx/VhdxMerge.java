package dev.parvis.devices.vhdx;

import dev.parvis.abi.vmbus.Guid;
import dev.parvis.devices.vhdx.format.BatEntry;
import dev.parvis.devices.vhdx.format.BatGeometry;
import dev.parvis.devices.vhdx.format.MetadataItem;
import dev.parvis.devices.vhdx.format.ParentLocator;
import dev.parvis.devices.vhdx.format.PayloadBlockState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Merges a differencing disk into its parent ([MS-VHDX] 2.6.1.2, 2.6.2.6.3 note 12). Order, chosen so a
 * crash at any point leaves a chain that still opens and reads as before:
 * <ol>
 * <li>the parent's next DataWriteGuid is stored in the child's {@code parent_linkage2} (logged);</li>
 * <li>the parent takes that DataWriteGuid (its first header update), and grows if the child is larger;</li>
 * <li>every sector the child holds is written into the parent; blocks the child says are zero become
 *     zero in the parent; the child's IsVirtualDisk items replace the parent's;</li>
 * <li>the parent is flushed and closed.</li>
 * </ol>
 * Afterwards the parent holds what the child showed, and the child (still valid, reading the same) can
 * be deleted. The merge holds the child open read-write and the parent exclusively.
 */
public final class VhdxMerge {
    private static final int COPY_CHUNK = 1 << 20;

    private VhdxMerge() {
    }

    /** Merges the differencing disk at {@code child} into its parent and returns the parent's path. */
    public static Path mergeIntoParent(Path child, OpenOptions options) throws IOException {
        try (VhdxDisk disk = VhdxDisk.open(child, options.withWritable(true))) {
            if (disk.type() != DiskType.DIFFERENCING) {
                throw new IllegalArgumentException(child + " is a " + disk.type() + " disk; only a differencing disk merges");
            }
            Path parentPath = disk.parent().path();
            try (VhdxDisk parent = VhdxDisk.open(parentPath, options.withWritable(true))) {
                merge(disk, parent);
            }
            return parentPath;
        }
    }

    /** Merges {@code child} into {@code parent}, which must be the disk the child's chain names. */
    public static void merge(VhdxDisk child, VhdxDisk parent) throws IOException {
        Guid next = VhdxFile.randomGuid();
        announce(child, next);
        parent.file().beginModification(next);
        if (child.size() > parent.size()) {
            parent.resize(child.size());
        }
        VhdxFile own = child.file();
        BatGeometry g = own.bat().geometry();
        for (long block = 0; block < g.payloadBlocks(); block++) {
            copyBlock(own, g, block, parent);
        }
        copyVirtualDiskItems(child, parent);
        parent.flush();
    }

    private static void announce(VhdxDisk child, Guid next) throws IOException {
        VhdxFile file = child.file();
        ParentLocator locator = file.metadata().parentLocator().orElseThrow()
                .with(ParentLocator.PARENT_LINKAGE2, ParentLocator.braced(next));
        file.beginModification(null);
        SectorPatch patch = new SectorPatch(file.storage());
        DiskMetadata staged = file.metadata().stageItem(patch, MetadataItem.PARENT_LOCATOR, locator.toBytes());
        file.commitWith(patch.updates());
        file.replaceMetadata(staged.withParentLocator(locator));
    }

    private static void copyBlock(VhdxFile own, BatGeometry g, long block, VhdxDisk parent) throws IOException {
        BatEntry e = own.bat().payload(block);
        PayloadBlockState state = e.payloadState();
        long start = block * g.blockSize();
        long used = g.usedBytesOfBlock(block);
        if (state.equals(PayloadBlockState.FULLY_PRESENT)) {
            copy(own, e.fileOffset(), parent, start, used);
        } else if (state.equals(PayloadBlockState.PARTIALLY_PRESENT)) {
            long chunk = block / g.chunkRatio();
            own.bitmaps().load(chunk, own.bat().bitmap(chunk).fileOffset());
            long firstSector = (block % g.chunkRatio()) * g.sectorsPerBlock();
            int sectors = (int) (used / g.logicalSectorSize());
            for (int s = 0; s < sectors; ) {
                int run = own.bitmaps().run(chunk, firstSector + s, sectors - s);
                if (own.bitmaps().get(chunk, firstSector + s)) {
                    long at = (long) s * g.logicalSectorSize();
                    copy(own, e.fileOffset() + at, parent, start + at, (long) run * g.logicalSectorSize());
                }
                s += run;
            }
        } else if (state.readsAsZero()) {
            zero(parent, start, used);
        }
    }

    private static void copy(VhdxFile own, long fileOffset, VhdxDisk parent, long virtualOffset, long length)
            throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(COPY_CHUNK, length));
        for (long done = 0; done < length; done += buffer.capacity()) {
            ByteBuffer part = buffer.clear().limit((int) Math.min(buffer.capacity(), length - done));
            own.storage().read(fileOffset + done, part);
            parent.write(virtualOffset + done, part.flip());
        }
    }

    /** Makes [offset, offset+length) of the parent read as zeros: whole blocks by state, the rest by writing. */
    private static void zero(VhdxDisk parent, long offset, long length) throws IOException {
        long blockSize = parent.blockSize();
        long at = offset;
        long end = offset + length;
        ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(COPY_CHUNK, length));
        while (at < end) {
            long block = at / blockSize;
            long blockEnd = Math.min((block + 1) * blockSize, parent.size());
            if (at % blockSize == 0 && blockEnd <= end) {
                parent.io().zeroBlock(block);
                at = blockEnd;
            } else {
                int n = (int) Math.min(Math.min(zeros.capacity(), end - at), blockEnd - at);
                parent.write(at, zeros.clear().limit(n));
                at += n;
            }
        }
    }

    /** [MS-VHDX] 2.6.1.2: the child's IsVirtualDisk items replace the parent's (the size was grown above). */
    private static void copyVirtualDiskItems(VhdxDisk child, VhdxDisk parent) throws IOException {
        DiskMetadata from = child.file().metadata();
        VhdxFile target = parent.file();
        DiskMetadata to = target.metadata();
        if (from.virtualDiskId().equals(to.virtualDiskId()) && from.physicalSectorSize() == to.physicalSectorSize()) {
            return;
        }
        SectorPatch patch = new SectorPatch(target.storage());
        DiskMetadata staged = to.stageItem(patch, MetadataItem.VIRTUAL_DISK_ID, from.virtualDiskId().toBytes());
        staged = staged.stageItem(patch, MetadataItem.PHYSICAL_SECTOR_SIZE, VhdxCreator.le(from.physicalSectorSize(), 4));
        target.commitWith(patch.updates());
        target.replaceMetadata(staged.withVirtualDiskId(from.virtualDiskId(), from.physicalSectorSize()));
    }
}
