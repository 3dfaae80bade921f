package dev.parvis.devices.storvsp.scsi;

import static dev.parvis.devices.storvsp.scsi.ScsiOpcode.*;

/**
 * Decodes a CDB into a {@link ScsiCommand}: a pure function of the guest's bytes. An unknown opcode
 * is INVALID COMMAND OPERATION CODE; a CDB shorter than its opcode's group or a field the device
 * does not support is INVALID FIELD IN CDB (SPC-4 4.5.6, table 49).
 */
public final class CdbDecoder {
    private CdbDecoder() {
    }

    public static ScsiCommand decode(byte[] cdb) {
        if (cdb.length == 0) {
            return new ScsiCommand.Refused(-1, Sense.INVALID_FIELD_IN_CDB);
        }
        int opcode = cdb[0] & 0xFF;
        int needed = cdbLength(opcode);
        if (needed != 0 && cdb.length < needed) {
            return new ScsiCommand.Refused(opcode, Sense.INVALID_FIELD_IN_CDB);
        }
        return switch (opcode) {
            case TEST_UNIT_READY -> new ScsiCommand.TestUnitReady();
            case REQUEST_SENSE -> new ScsiCommand.RequestSense((cdb[1] & 1) != 0, u8(cdb, 4));
            case INQUIRY -> inquiry(cdb);
            case READ_CAPACITY_10 -> new ScsiCommand.ReadCapacity10();
            case READ_10 -> new ScsiCommand.Read(u32(cdb, 2), u16(cdb, 7), fua(cdb));
            case WRITE_10 -> new ScsiCommand.Write(u32(cdb, 2), u16(cdb, 7), fua(cdb));
            case READ_16 -> new ScsiCommand.Read(u64(cdb, 2), u32(cdb, 10), fua(cdb));
            case WRITE_16 -> new ScsiCommand.Write(u64(cdb, 2), u32(cdb, 10), fua(cdb));
            case SYNCHRONIZE_CACHE_10 -> new ScsiCommand.SynchronizeCache(u32(cdb, 2), u16(cdb, 7));
            case SYNCHRONIZE_CACHE_16 -> new ScsiCommand.SynchronizeCache(u64(cdb, 2), u32(cdb, 10));
            case SERVICE_ACTION_IN_16 -> (cdb[1] & 0x1F) == SA_READ_CAPACITY_16
                    ? new ScsiCommand.ReadCapacity16((int) Math.min(u32(cdb, 10), Integer.MAX_VALUE))
                    : new ScsiCommand.Refused(opcode, Sense.INVALID_FIELD_IN_CDB);
            case REPORT_LUNS -> new ScsiCommand.ReportLuns(u8(cdb, 2), u32(cdb, 6));
            case MODE_SENSE_6 -> new ScsiCommand.ModeSense(false, (cdb[1] & 0x08) != 0, u8(cdb, 2) >>> 6,
                    cdb[2] & 0x3F, u8(cdb, 3), u8(cdb, 4));
            case MODE_SENSE_10 -> new ScsiCommand.ModeSense(true, (cdb[1] & 0x08) != 0, u8(cdb, 2) >>> 6,
                    cdb[2] & 0x3F, u8(cdb, 3), u16(cdb, 7));
            case UNMAP -> (cdb[1] & 0x01) != 0
                    ? new ScsiCommand.Refused(opcode, Sense.INVALID_FIELD_IN_CDB) // ANCHOR: no anchored state
                    : new ScsiCommand.Unmap(u16(cdb, 7));
            default -> new ScsiCommand.Refused(opcode, Sense.INVALID_COMMAND_OPERATION_CODE);
        };
    }

    private static ScsiCommand inquiry(byte[] cdb) {
        boolean evpd = (cdb[1] & 1) != 0;
        int page = u8(cdb, 2);
        if (!evpd && page != 0 || (cdb[1] & 0x02) != 0) {
            return new ScsiCommand.Refused(INQUIRY, Sense.INVALID_FIELD_IN_CDB); // page without EVPD, or CMDDT
        }
        return new ScsiCommand.Inquiry(evpd, page, u16(cdb, 3));
    }

    private static boolean fua(byte[] cdb) {
        return (cdb[1] & 0x08) != 0;
    }

    private static int u8(byte[] b, int at) {
        return b[at] & 0xFF;
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xFF) << 8 | b[at + 1] & 0xFF;
    }

    private static long u32(byte[] b, int at) {
        return (long) u16(b, at) << 16 | u16(b, at + 2);
    }

    /** Big-endian u64; a value past Long.MAX_VALUE comes back negative and is out of range for any disk. */
    private static long u64(byte[] b, int at) {
        return u32(b, at) << 32 | u32(b, at + 4);
    }
}
