package dev.parvis.devices.vhdx;

import dev.parvis.abi.vmbus.Guid;
import dev.parvis.devices.vhdx.format.BatEntry;
import dev.parvis.devices.vhdx.format.BatGeometry;
import dev.parvis.devices.vhdx.format.FileIdentifier;
import dev.parvis.devices.vhdx.format.FileParameters;
import dev.parvis.devices.vhdx.format.MetadataItem;
import dev.parvis.devices.vhdx.format.MetadataTable;
import dev.parvis.devices.vhdx.format.MetadataTableEntry;
import dev.parvis.devices.vhdx.format.ParentLocator;
import dev.parvis.devices.vhdx.format.PayloadBlockState;
import dev.parvis.devices.vhdx.format.RegionTable;
import dev.parvis.devices.vhdx.format.RegionTableEntry;
import dev.parvis.devices.vhdx.format.VhdxHeader;
import dev.parvis.devices.vhdx.format.VhdxLayout;
import dev.parvis.devices.vhdx.storage.FileStorage;
import dev.parvis.devices.vhdx.storage.VhdxStorage;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Creates VHDX files. Layout (as QEMU lays them out): header section, a 1 MiB log at 1 MiB, the BAT,
 * a 1 MiB metadata region, then payload blocks. A fixed disk's blocks are all FULLY_PRESENT and its
 * file covers them (sparse where the filesystem allows); a dynamic or differencing disk's BAT is all
 * NOT_PRESENT. Both region tables are identical and mark their regions Required. The headers are
 * written last, so a crash during creation leaves a file with no valid header, which is refused.
 */
public final class VhdxCreator {
    public static final String CREATOR = "Parvis";
    private static final long METADATA_LENGTH = VhdxLayout.MIB;

    private VhdxCreator() {
    }

    /** The parent a differencing disk is created over, and how the child will name it. */
    public record ParentLink(VhdxDisk parent, String relativePath) {
    }

    /** Creates {@code path} (which must not exist); parents of a differencing disk are opened read-only with {@code options}. */
    public static void create(Path path, CreateRequest request, OpenOptions options) throws IOException {
        if (request.type() == DiskType.DIFFERENCING) {
            try (VhdxDisk parent = VhdxDisk.open(request.parent(), options.forParent())) {
                createFile(path, request, new ParentLink(parent, ParentLocation.relativePath(path, request.parent())));
            }
        } else {
            createFile(path, request, null);
        }
    }

    public static void create(Path path, CreateRequest request) throws IOException {
        create(path, request, OpenOptions.readOnly());
    }

    /** Creates the file (never replacing one) and removes it again only if this call created it and failed. */
    private static void createFile(Path path, CreateRequest request, ParentLink link) throws IOException {
        FileStorage storage = FileStorage.createNew(path);
        boolean done = false;
        try (storage) {
            write(storage, request, link);
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(path);
            }
        }
    }

    /** Writes a new VHDX into empty {@code storage}; {@code link} is required exactly for a differencing disk. */
    public static void write(VhdxStorage storage, CreateRequest request, ParentLink link) throws IOException {
        if ((request.type() == DiskType.DIFFERENCING) != (link != null)) {
            throw new IllegalArgumentException("a parent link is given exactly for a differencing disk");
        }
        boolean differencing = link != null;
        long size = differencing ? link.parent().size() : request.virtualSize();
        int logical = differencing ? link.parent().logicalSectorSize() : request.logicalSectorSize();
        int physical = differencing ? link.parent().physicalSectorSize() : request.physicalSectorSize();
        Guid diskId = differencing ? link.parent().virtualDiskId()
                : request.virtualDiskId() != null ? request.virtualDiskId() : VhdxFile.randomGuid();
        BatGeometry geometry = new BatGeometry(size, request.effectiveBlockSize(), logical, differencing);
        long logOffset = VhdxLayout.HEADER_SECTION_SIZE;
        long batOffset = logOffset + request.logLength();
        long batLength = Math.max(VhdxLayout.MIB, VhdxLayout.roundUp(geometry.totalEntries() * BatEntry.SIZE, VhdxLayout.MIB));
        long metadataOffset = batOffset + batLength;
        long dataStart = metadataOffset + METADATA_LENGTH;

        byte[] identifier = new byte[(int) FileIdentifier.LAYOUT.byteSize()];
        new FileIdentifier(CREATOR).write(MemorySegment.ofArray(identifier));
        storage.writeBytes(VhdxLayout.FILE_IDENTIFIER_OFFSET, identifier);
        byte[] regions = new RegionTable(List.of(
                new RegionTableEntry(RegionTable.BAT_REGION, batOffset, batLength, RegionTableEntry.REQUIRED),
                new RegionTableEntry(RegionTable.METADATA_REGION, metadataOffset, METADATA_LENGTH, RegionTableEntry.REQUIRED)))
                .toBytes();
        storage.writeBytes(VhdxLayout.REGION_TABLE_1_OFFSET, regions);
        storage.writeBytes(VhdxLayout.REGION_TABLE_2_OFFSET, regions);
        ParentLocator locator = differencing
                ? ParentLocator.forParent(link.parent().file().header().dataWriteGuid(), link.relativePath()) : null;
        FileParameters parameters = new FileParameters(geometry.blockSize(), request.type() == DiskType.FIXED, differencing);
        storage.writeBytes(metadataOffset, metadataRegion(parameters, size, diskId, logical, physical, locator));
        long fileEnd = dataStart;
        if (request.type() == DiskType.FIXED) {
            fileEnd = writeFixedBat(storage, geometry, batOffset, dataStart);
        }
        storage.extendTo(fileEnd);
        storage.force();
        HeaderSlots.create(storage, new VhdxHeader(0, VhdxFile.randomGuid(), VhdxFile.randomGuid(), Guid.NULL, 0,
                VhdxHeader.CURRENT_VERSION, request.logLength(), logOffset));
    }

    /** Payload entries FULLY_PRESENT, blocks back to back from {@code dataStart}; returns the file's end. */
    private static long writeFixedBat(VhdxStorage storage, BatGeometry geometry, long batOffset, long dataStart)
            throws IOException {
        long[] entries = new long[Math.toIntExact(BlockAllocationTable.sectorsFor(geometry) * BlockAllocationTable.ENTRIES_PER_SECTOR)];
        long offset = dataStart;
        for (long block = 0; block < geometry.payloadBlocks(); block++) {
            entries[(int) geometry.payloadEntryIndex(block)] = BatEntry.of(PayloadBlockState.FULLY_PRESENT.raw(), offset).raw();
            offset += geometry.blockSize();
        }
        storage.writeBytes(batOffset, BlockAllocationTable.toBytes(entries));
        return offset;
    }

    /** The metadata table and its items, packed from 64 KiB on (items need no alignment). */
    static byte[] metadataRegion(FileParameters parameters, long size, Guid diskId, int logical, int physical,
                                 ParentLocator locator) {
        byte[] region = new byte[(int) METADATA_LENGTH];
        List<MetadataTableEntry> entries = new ArrayList<>();
        long[] cursor = {MetadataTable.SIZE};
        place(region, entries, cursor, MetadataItem.FILE_PARAMETERS, parameters.toBytes());
        place(region, entries, cursor, MetadataItem.VIRTUAL_DISK_SIZE, le(size, 8));
        place(region, entries, cursor, MetadataItem.VIRTUAL_DISK_ID, diskId.toBytes());
        place(region, entries, cursor, MetadataItem.LOGICAL_SECTOR_SIZE, le(logical, 4));
        place(region, entries, cursor, MetadataItem.PHYSICAL_SECTOR_SIZE, le(physical, 4));
        if (locator != null) {
            place(region, entries, cursor, MetadataItem.PARENT_LOCATOR, locator.toBytes());
        }
        new MetadataTable(entries).write(MemorySegment.ofArray(region));
        return region;
    }

    private static void place(byte[] region, List<MetadataTableEntry> entries, long[] cursor, MetadataItem item,
                              byte[] payload) {
        System.arraycopy(payload, 0, region, (int) cursor[0], payload.length);
        entries.add(new MetadataTableEntry(item.id(), cursor[0], payload.length, item.writerFlags()));
        cursor[0] += payload.length;
    }

    static byte[] le(long value, int bytes) {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value);
        byte[] out = new byte[bytes];
        System.arraycopy(b.array(), 0, out, 0, bytes);
        return out;
    }
}
