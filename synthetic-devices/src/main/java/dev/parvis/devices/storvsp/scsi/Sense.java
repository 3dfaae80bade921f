package dev.parvis.devices.storvsp.scsi;

/**
 * SCSI sense: key, additional sense code and qualifier (SPC-4 4.5). Written as fixed-format sense
 * data (response code 0x70), 18 bytes, truncated or zero-padded to the guest's sense buffer.
 */
public record Sense(int key, int asc, int ascq) {
    public static final int FIXED_FORMAT_SIZE = 18;

    public static final int KEY_NO_SENSE = 0x0;
    public static final int KEY_NOT_READY = 0x2;
    public static final int KEY_MEDIUM_ERROR = 0x3;
    public static final int KEY_HARDWARE_ERROR = 0x4;
    public static final int KEY_ILLEGAL_REQUEST = 0x5;
    public static final int KEY_UNIT_ATTENTION = 0x6;
    public static final int KEY_DATA_PROTECT = 0x7;
    public static final int KEY_ABORTED_COMMAND = 0xB;

    public static final Sense NO_SENSE = new Sense(KEY_NO_SENSE, 0, 0);
    public static final Sense INVALID_COMMAND_OPERATION_CODE = new Sense(KEY_ILLEGAL_REQUEST, 0x20, 0x00);
    public static final Sense LBA_OUT_OF_RANGE = new Sense(KEY_ILLEGAL_REQUEST, 0x21, 0x00);
    public static final Sense INVALID_FIELD_IN_CDB = new Sense(KEY_ILLEGAL_REQUEST, 0x24, 0x00);
    public static final Sense LOGICAL_UNIT_NOT_SUPPORTED = new Sense(KEY_ILLEGAL_REQUEST, 0x25, 0x00);
    public static final Sense INVALID_FIELD_IN_PARAMETER_LIST = new Sense(KEY_ILLEGAL_REQUEST, 0x26, 0x00);
    public static final Sense PARAMETER_LIST_LENGTH_ERROR = new Sense(KEY_ILLEGAL_REQUEST, 0x1A, 0x00);
    public static final Sense SAVING_PARAMETERS_NOT_SUPPORTED = new Sense(KEY_ILLEGAL_REQUEST, 0x39, 0x00);
    public static final Sense WRITE_PROTECTED = new Sense(KEY_DATA_PROTECT, 0x27, 0x00);
    public static final Sense UNRECOVERED_READ_ERROR = new Sense(KEY_MEDIUM_ERROR, 0x11, 0x00);
    public static final Sense WRITE_ERROR = new Sense(KEY_MEDIUM_ERROR, 0x0C, 0x00);
    public static final Sense INTERNAL_TARGET_FAILURE = new Sense(KEY_HARDWARE_ERROR, 0x44, 0x00);
    public static final Sense POWER_ON_OR_RESET = new Sense(KEY_UNIT_ATTENTION, 0x29, 0x00);
    public static final Sense REPORTED_LUNS_DATA_CHANGED = new Sense(KEY_UNIT_ATTENTION, 0x3F, 0x0E);
    public static final Sense CAPACITY_DATA_CHANGED = new Sense(KEY_UNIT_ATTENTION, 0x2A, 0x09);
    public static final Sense MEDIUM_NOT_PRESENT = new Sense(KEY_NOT_READY, 0x3A, 0x00);

    /** Fixed-format sense data, {@code length} bytes (the guest's sense buffer size). */
    public byte[] fixedFormat(int length) {
        byte[] full = new byte[Math.max(length, FIXED_FORMAT_SIZE)];
        full[0] = 0x70;
        full[2] = (byte) (key & 0x0F);
        full[7] = FIXED_FORMAT_SIZE - 8;
        full[12] = (byte) asc;
        full[13] = (byte) ascq;
        return java.util.Arrays.copyOf(full, length);
    }

    /** Reads fixed-format sense data (as a client sees it). */
    public static Sense fromFixedFormat(byte[] data) {
        if (data.length < 14) {
            return new Sense(data.length > 2 ? data[2] & 0x0F : 0, 0, 0);
        }
        return new Sense(data[2] & 0x0F, data[12] & 0xFF, data[13] & 0xFF);
    }

    @Override
    public String toString() {
        return "sense %x/%02x/%02x".formatted(key, asc, ascq);
    }
}
