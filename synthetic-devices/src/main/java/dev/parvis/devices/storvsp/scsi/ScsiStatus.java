package dev.parvis.devices.storvsp.scsi;

/** The SCSI status byte (SAM-5 5.3). */
public record ScsiStatus(int raw) {
    public static final ScsiStatus GOOD = new ScsiStatus(0x00);
    public static final ScsiStatus CHECK_CONDITION = new ScsiStatus(0x02);
    public static final ScsiStatus BUSY = new ScsiStatus(0x08);
    public static final ScsiStatus TASK_SET_FULL = new ScsiStatus(0x28);

    @Override
    public String toString() {
        return "SCSI status 0x%02x".formatted(raw);
    }
}
