package dev.parvis.devices.vhdx;

import dev.parvis.abi.vmbus.Guid;
import dev.parvis.devices.vhdx.format.BatGeometry;
import dev.parvis.devices.vhdx.format.FileParameters;
import dev.parvis.devices.vhdx.format.MetadataItem;
import dev.parvis.devices.vhdx.format.MetadataTable;
import dev.parvis.devices.vhdx.format.MetadataTableEntry;
import dev.parvis.devices.vhdx.format.ParentLocator;
import dev.parvis.devices.vhdx.format.VhdxFormatException;
import dev.parvis.devices.vhdx.format.VhdxLayout;
import dev.parvis.devices.vhdx.format.VhdxStructure;
import dev.parvis.devices.vhdx.storage.VhdxStorage;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

import static dev.parvis.abi.layout.LittleEndian.u32;
import static dev.parvis.abi.layout.LittleEndian.u64;

/**
 * The metadata region as read and checked on open ([MS-VHDX] 2.6): its table and the five system items
 * every disk has, plus the Parent Locator of a differencing disk. Unknown optional items are left where
 * they are and never rewritten.
 */
record DiskMetadata(long regionOffset, long regionLength, MetadataTable table, FileParameters parameters,
                    long virtualDiskSize, Guid virtualDiskId, int logicalSectorSize, int physicalSectorSize,
                    Optional<ParentLocator> parentLocator) {

    static DiskMetadata read(VhdxStorage storage, long regionOffset, long regionLength) throws IOException {
        if (regionLength < MetadataTable.SIZE) {
            throw new VhdxFormatException(VhdxStructure.REGION_TABLE, "metadata Length",
                    regionLength + " bytes cannot hold the 64 KiB metadata table");
        }
        byte[] tableBytes = storage.readBytes(regionOffset, MetadataTable.SIZE);
        MetadataTable table = MetadataTable.read(MemorySegment.ofArray(tableBytes), regionLength);
        Map<MetadataItem, MemorySegment> items = new EnumMap<>(MetadataItem.class);
        for (int i = 0; i < table.entries().size(); i++) {
            MetadataTableEntry e = table.entries().get(i);
            Optional<MetadataItem> known = MetadataItem.of(e);
            if (known.isEmpty()) {
                if (e.isRequired()) {
                    throw new VhdxFormatException(VhdxStructure.METADATA_TABLE, "entry " + i + " ItemId",
                            "unknown item " + e.itemId() + " is marked IsRequired");
                }
                continue;
            }
            MetadataItem item = known.get();
            if (e.length() < item.minimumLength()) {
                throw new VhdxFormatException(item.structure(), "Length",
                        e.length() + " bytes, the item needs " + item.minimumLength());
            }
            items.put(item, MemorySegment.ofArray(storage.readBytes(regionOffset + e.offset(), (int) e.length())));
        }
        return parse(regionOffset, regionLength, table, items);
    }

    private static DiskMetadata parse(long regionOffset, long regionLength, MetadataTable table,
                                      Map<MetadataItem, MemorySegment> items) throws VhdxFormatException {
        for (MetadataItem required : new MetadataItem[]{MetadataItem.FILE_PARAMETERS, MetadataItem.VIRTUAL_DISK_SIZE,
                MetadataItem.VIRTUAL_DISK_ID, MetadataItem.LOGICAL_SECTOR_SIZE, MetadataItem.PHYSICAL_SECTOR_SIZE}) {
            if (!items.containsKey(required)) {
                throw new VhdxFormatException(required.structure(), "item", "is missing from the metadata table");
            }
        }
        FileParameters parameters = FileParameters.read(items.get(MetadataItem.FILE_PARAMETERS));
        int logical = u32(items.get(MetadataItem.LOGICAL_SECTOR_SIZE), 0);
        if (!VhdxLayout.isSectorSize(logical)) {
            throw new VhdxFormatException(VhdxStructure.LOGICAL_SECTOR_SIZE, "LogicalSectorSize", logical + " is not 512 or 4096");
        }
        int physical = u32(items.get(MetadataItem.PHYSICAL_SECTOR_SIZE), 0);
        if (!VhdxLayout.isSectorSize(physical)) {
            throw new VhdxFormatException(VhdxStructure.PHYSICAL_SECTOR_SIZE, "PhysicalSectorSize", physical + " is not 512 or 4096");
        }
        long size = u64(items.get(MetadataItem.VIRTUAL_DISK_SIZE), 0);
        if (size < 0 || size > VhdxLayout.MAX_VIRTUAL_DISK_SIZE || size % logical != 0) {
            throw new VhdxFormatException(VhdxStructure.VIRTUAL_DISK_SIZE, "VirtualDiskSize",
                    Long.toUnsignedString(size) + " is not a multiple of " + logical + " up to 64 TiB");
        }
        Guid id = Guid.read(items.get(MetadataItem.VIRTUAL_DISK_ID));
        Optional<ParentLocator> locator = Optional.empty();
        if (items.containsKey(MetadataItem.PARENT_LOCATOR)) {
            locator = Optional.of(ParentLocator.read(items.get(MetadataItem.PARENT_LOCATOR)));
        }
        if (parameters.hasParent() && locator.isEmpty()) {
            throw new VhdxFormatException(VhdxStructure.FILE_PARAMETERS, "HasParent",
                    "is set but there is no Parent Locator item");
        }
        return new DiskMetadata(regionOffset, regionLength, table, parameters, size, id, logical, physical,
                parameters.hasParent() ? locator : Optional.empty());
    }

    DiskType type() {
        if (parameters.hasParent()) {
            return DiskType.DIFFERENCING;
        }
        return parameters.leaveBlockAllocated() ? DiskType.FIXED : DiskType.DYNAMIC;
    }

    BatGeometry geometry() {
        return new BatGeometry(virtualDiskSize, parameters.blockSize(), logicalSectorSize, parameters.hasParent());
    }

    /**
     * Stages a new payload for {@code item} into {@code patch}: in place if it fits the item's current
     * length, else after the last item with its table entry moved. Returns the metadata as it will be.
     */
    DiskMetadata stageItem(SectorPatch patch, MetadataItem item, byte[] payload) throws IOException {
        Optional<MetadataTableEntry> existing = table.find(item);
        long offset;
        if (existing.isPresent() && existing.get().length() >= payload.length && existing.get().offset() != 0) {
            offset = existing.get().offset();
        } else {
            offset = Math.max(MetadataTable.SIZE, table.endOfItems());
            if (offset + payload.length > regionLength) {
                throw new IOException("metadata region of " + regionLength + " bytes has no room for a "
                        + payload.length + "-byte " + item.structure().title());
            }
        }
        MetadataTableEntry entry = existing.map(e -> e.movedTo(offset, payload.length))
                .orElse(new MetadataTableEntry(item.id(), offset, payload.length, item.writerFlags()));
        MetadataTable newTable = table.with(entry);
        byte[] tableBytes = new byte[MetadataTable.SIZE];
        newTable.write(MemorySegment.ofArray(tableBytes));
        patch.write(regionOffset, tableBytes);
        patch.write(regionOffset + offset, payload);
        return withTable(newTable);
    }

    private DiskMetadata withTable(MetadataTable newTable) {
        return new DiskMetadata(regionOffset, regionLength, newTable, parameters, virtualDiskSize, virtualDiskId,
                logicalSectorSize, physicalSectorSize, parentLocator);
    }

    DiskMetadata withVirtualDiskSize(long size) {
        return new DiskMetadata(regionOffset, regionLength, table, parameters, size, virtualDiskId, logicalSectorSize,
                physicalSectorSize, parentLocator);
    }

    DiskMetadata withVirtualDiskId(Guid id, int physical) {
        return new DiskMetadata(regionOffset, regionLength, table, parameters, virtualDiskSize, id, logicalSectorSize,
                physical, parentLocator);
    }

    DiskMetadata withParentLocator(ParentLocator locator) {
        return new DiskMetadata(regionOffset, regionLength, table, parameters, virtualDiskSize, virtualDiskId,
                logicalSectorSize, physicalSectorSize, Optional.of(locator));
    }
}
