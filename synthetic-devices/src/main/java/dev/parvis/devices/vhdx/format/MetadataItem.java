package dev.parvis.devices.vhdx.format;

import dev.parvis.abi.vmbus.Guid;
import java.util.Optional;

/**
 * The system metadata items this implementation understands ([MS-VHDX] 2.6.2), with the flags a
 * writer gives them and the smallest payload a reader accepts. A closed, host-side set.
 */
public enum MetadataItem {
    FILE_PARAMETERS("caa16737-fa36-4d43-b3b6-33f0aa44e76b", 8, false, VhdxStructure.FILE_PARAMETERS),
    VIRTUAL_DISK_SIZE("2fa54224-cd1b-4876-b211-5dbed83bf4b8", 8, true, VhdxStructure.VIRTUAL_DISK_SIZE),
    VIRTUAL_DISK_ID("beca12ab-b2e6-4523-93ef-c309e000c746", 16, true, VhdxStructure.VIRTUAL_DISK_ID),
    LOGICAL_SECTOR_SIZE("8141bf1d-a96f-4709-ba47-f233a8faab5f", 4, true, VhdxStructure.LOGICAL_SECTOR_SIZE),
    PHYSICAL_SECTOR_SIZE("cda348c7-445d-4471-9cc9-e9885251c556", 4, true, VhdxStructure.PHYSICAL_SECTOR_SIZE),
    PARENT_LOCATOR("a8d35f2d-b30b-454d-abf7-d3d84834ab0c", ParentLocator.HEADER_SIZE, false, VhdxStructure.PARENT_LOCATOR);

    private final Guid id;
    private final int minimumLength;
    private final boolean virtualDisk;
    private final VhdxStructure structure;

    MetadataItem(String id, int minimumLength, boolean virtualDisk, VhdxStructure structure) {
        this.id = Guid.parse(id);
        this.minimumLength = minimumLength;
        this.virtualDisk = virtualDisk;
        this.structure = structure;
    }

    public Guid id() {
        return id;
    }

    public int minimumLength() {
        return minimumLength;
    }

    /** The flags a writer stores: always IsRequired, IsVirtualDisk for the items a fork copies. */
    public int writerFlags() {
        return MetadataTableEntry.IS_REQUIRED | (virtualDisk ? MetadataTableEntry.IS_VIRTUAL_DISK : 0);
    }

    public VhdxStructure structure() {
        return structure;
    }

    /** The known system item with this id; user items (IsUser set) are never system items. */
    public static Optional<MetadataItem> of(MetadataTableEntry entry) {
        if (entry.isUser()) {
            return Optional.empty();
        }
        for (MetadataItem item : values()) {
            if (item.id.equals(entry.itemId())) {
                return Optional.of(item);
            }
        }
        return Optional.empty();
    }
}
