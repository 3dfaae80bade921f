package dev.parvis.devices.storvsp.scsi;

/** The operation codes the logical unit knows (SPC-4, SBC-3) and the CDB length of each group. */
final class ScsiOpcode {
    static final int TEST_UNIT_READY = 0x00;
    static final int REQUEST_SENSE = 0x03;
    static final int INQUIRY = 0x12;
    static final int MODE_SENSE_6 = 0x1A;
    static final int READ_CAPACITY_10 = 0x25;
    static final int READ_10 = 0x28;
    static final int WRITE_10 = 0x2A;
    static final int SYNCHRONIZE_CACHE_10 = 0x35;
    static final int UNMAP = 0x42;
    static final int MODE_SENSE_10 = 0x5A;
    static final int READ_16 = 0x88;
    static final int WRITE_16 = 0x8A;
    static final int SYNCHRONIZE_CACHE_16 = 0x91;
    static final int SERVICE_ACTION_IN_16 = 0x9E;
    static final int REPORT_LUNS = 0xA0;
    /** SERVICE ACTION IN (16) service action READ CAPACITY (16). */
    static final int SA_READ_CAPACITY_16 = 0x10;

    private ScsiOpcode() {
    }

    /** The CDB length of an opcode's group (SPC-4 4.2.5.1), or 0 for the vendor-specific/reserved groups. */
    static int cdbLength(int opcode) {
        return switch (opcode >>> 5) {
            case 0 -> 6;
            case 1, 2 -> 10;
            case 4 -> 16;
            case 5 -> 12;
            default -> 0;
        };
    }
}
