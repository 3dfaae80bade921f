package dev.parvis.devices.vhdx.format;

/** The structure of a VHDX file that a refusal names; {@link #title()} is how messages spell it. */
public enum VhdxStructure {
    FILE("file"),
    FILE_IDENTIFIER("file identifier"),
    HEADER("header"),
    REGION_TABLE("region table"),
    LOG("log"),
    LOG_ENTRY("log entry"),
    METADATA_TABLE("metadata table"),
    FILE_PARAMETERS("file parameters"),
    VIRTUAL_DISK_SIZE("virtual disk size"),
    VIRTUAL_DISK_ID("virtual disk id"),
    LOGICAL_SECTOR_SIZE("logical sector size"),
    PHYSICAL_SECTOR_SIZE("physical sector size"),
    PARENT_LOCATOR("parent locator"),
    BAT("BAT"),
    SECTOR_BITMAP("sector bitmap"),
    PARENT("parent disk");

    private final String title;

    VhdxStructure(String title) {
        this.title = title;
    }

    public String title() {
        return title;
    }
}
