package dev.parvis.devices.storvsp.protocol;

/**
 * The srb_status byte of a vmscsi_request (hyperv-abi-vmbus.md 10.2): a status in bits 0-5 and the
 * AUTOSENSE_VALID flag (bit 7: the sense area holds sense data).
 */
public record SrbStatus(int raw) {
    public static final int AUTOSENSE_VALID = 0x80;
    public static final int QUEUE_FROZEN = 0x40;

    public static final SrbStatus SUCCESS = new SrbStatus(0x01);
    public static final SrbStatus ABORTED = new SrbStatus(0x02);
    public static final SrbStatus ERROR = new SrbStatus(0x04);
    public static final SrbStatus BUSY = new SrbStatus(0x05);
    public static final SrbStatus INVALID_REQUEST = new SrbStatus(0x06);
    public static final SrbStatus INVALID_PATH_ID = new SrbStatus(0x07);
    public static final SrbStatus NO_DEVICE = new SrbStatus(0x08);
    public static final SrbStatus DATA_OVERRUN = new SrbStatus(0x12);
    public static final SrbStatus INVALID_LUN = new SrbStatus(0x20);
    public static final SrbStatus INVALID_TARGET_ID = new SrbStatus(0x21);

    /** This status with sense data attached. */
    public SrbStatus withAutosense() {
        return new SrbStatus(raw | AUTOSENSE_VALID);
    }

    public int status() {
        return raw & 0x3F;
    }

    public boolean autosenseValid() {
        return (raw & AUTOSENSE_VALID) != 0;
    }

    @Override
    public String toString() {
        return "SRB status 0x%02x".formatted(raw & 0xFF);
    }
}
