package dev.parvis.devices.storvsp.protocol;

import static dev.parvis.abi.layout.LittleEndian.U16;
import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.U8;
import static dev.parvis.abi.layout.LittleEndian.bytes;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u16;
import static dev.parvis.abi.layout.LittleEndian.u32;
import static dev.parvis.abi.layout.LittleEndian.u8;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.Arrays;

/**
 * A vmscsi_request (hyperv-abi-vmbus.md 10.2), the SRB inside an EXECUTE_SRB vstor_packet. The
 * first 36 bytes are the pre-Win8 request; bytes 36..52 the Win8 extension. On completion the
 * host rewrites srb_status, scsi_status, sense_info_length, data_transfer_length and the
 * CDB/sense area. Every field is as the guest wrote it: nothing here is validated.
 *
 * @param cdbOrSense the 20-byte union: the CDB (up to 16 bytes) on request, sense data on completion
 */
public record ScsiRequest(int length, int srbStatus, int scsiStatus, int portNumber, int pathId, int targetId,
                          int lun, int cdbLength, int senseInfoLength, int dataIn, int properties,
                          int dataTransferLength, byte[] cdbOrSense, int queueTag, int queueAction, int srbFlags,
                          int timeOutValue, int queueSortKey) {
    public static final int SIZE_WIN8 = 52;
    public static final int SIZE_LEGACY = 36;
    public static final int SENSE_SIZE_WIN8 = 0x14;
    public static final int SENSE_SIZE_LEGACY = 0x12;
    public static final int CDB_AREA = 20;
    public static final int MAX_CDB = 16;

    /** data_in: the guest's buffer receives data (a read). */
    public static final int DATA_IN = 1;
    /** data_in: the guest's buffer supplies data (a write). */
    public static final int DATA_OUT = 0;
    /** data_in: no data phase. */
    public static final int DATA_UNKNOWN = 2;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U16.withName("length"),
            U8.withName("srb_status"),
            U8.withName("scsi_status"),
            U8.withName("port_number"),
            U8.withName("path_id"),
            U8.withName("target_id"),
            U8.withName("lun"),
            U8.withName("cdb_length"),
            U8.withName("sense_info_length"),
            U8.withName("data_in"),
            U8.withName("properties"),
            U32.withName("data_transfer_length"),
            MemoryLayout.sequenceLayout(CDB_AREA, U8).withName("cdb"),
            U16.withName("reserve"),
            U8.withName("queue_tag"),
            U8.withName("queue_action"),
            U32.withName("srb_flags"),
            U32.withName("time_out_value"),
            U32.withName("queue_sort_key"));

    private static final long LENGTH = offset(LAYOUT, "length");
    private static final long SRB_STATUS = offset(LAYOUT, "srb_status");
    private static final long SCSI_STATUS = offset(LAYOUT, "scsi_status");
    private static final long PORT_NUMBER = offset(LAYOUT, "port_number");
    private static final long PATH_ID = offset(LAYOUT, "path_id");
    private static final long TARGET_ID = offset(LAYOUT, "target_id");
    private static final long LUN = offset(LAYOUT, "lun");
    private static final long CDB_LENGTH = offset(LAYOUT, "cdb_length");
    private static final long SENSE_INFO_LENGTH = offset(LAYOUT, "sense_info_length");
    private static final long DATA_IN_FIELD = offset(LAYOUT, "data_in");
    private static final long PROPERTIES = offset(LAYOUT, "properties");
    private static final long DATA_TRANSFER_LENGTH = offset(LAYOUT, "data_transfer_length");
    private static final long CDB = offset(LAYOUT, "cdb");
    private static final long QUEUE_TAG = offset(LAYOUT, "queue_tag");
    private static final long QUEUE_ACTION = offset(LAYOUT, "queue_action");
    private static final long SRB_FLAGS = offset(LAYOUT, "srb_flags");
    private static final long TIME_OUT_VALUE = offset(LAYOUT, "time_out_value");
    private static final long QUEUE_SORT_KEY = offset(LAYOUT, "queue_sort_key");

    public ScsiRequest {
        cdbOrSense = Arrays.copyOf(cdbOrSense, CDB_AREA);
    }

    /** Reads a request from a 52-byte vstor_packet body (zero past what the guest sent). */
    public static ScsiRequest read(MemorySegment s) {
        return new ScsiRequest(Short.toUnsignedInt(u16(s, LENGTH)), b(s, SRB_STATUS), b(s, SCSI_STATUS),
                b(s, PORT_NUMBER), b(s, PATH_ID), b(s, TARGET_ID), b(s, LUN), b(s, CDB_LENGTH),
                b(s, SENSE_INFO_LENGTH), b(s, DATA_IN_FIELD), b(s, PROPERTIES), u32(s, DATA_TRANSFER_LENGTH),
                bytes(s, CDB, CDB_AREA), b(s, QUEUE_TAG), b(s, QUEUE_ACTION), u32(s, SRB_FLAGS),
                u32(s, TIME_OUT_VALUE), u32(s, QUEUE_SORT_KEY));
    }

    /** srb_status of the request in {@code s}, without reading the rest (a completion's outcome). */
    public static int srbStatusOf(MemorySegment s) {
        return b(s, SRB_STATUS);
    }

    private static int b(MemorySegment s, long at) {
        return Byte.toUnsignedInt(u8(s, at));
    }

    /** Writes all 52 bytes; the caller sends as many as the negotiated version carries. */
    public void write(MemorySegment s) {
        u16(s, LENGTH, (short) length);
        u8(s, SRB_STATUS, (byte) srbStatus);
        u8(s, SCSI_STATUS, (byte) scsiStatus);
        u8(s, PORT_NUMBER, (byte) portNumber);
        u8(s, PATH_ID, (byte) pathId);
        u8(s, TARGET_ID, (byte) targetId);
        u8(s, LUN, (byte) lun);
        u8(s, CDB_LENGTH, (byte) cdbLength);
        u8(s, SENSE_INFO_LENGTH, (byte) senseInfoLength);
        u8(s, DATA_IN_FIELD, (byte) dataIn);
        u8(s, PROPERTIES, (byte) properties);
        u32(s, DATA_TRANSFER_LENGTH, dataTransferLength);
        MemorySegment.copy(MemorySegment.ofArray(cdbOrSense), 0, s, CDB, CDB_AREA);
        u8(s, QUEUE_TAG, (byte) queueTag);
        u8(s, QUEUE_ACTION, (byte) queueAction);
        u32(s, SRB_FLAGS, srbFlags);
        u32(s, TIME_OUT_VALUE, timeOutValue);
        u32(s, QUEUE_SORT_KEY, queueSortKey);
    }

    /** The CDB bytes the guest says it sent (cdb_length, at most 16). */
    public byte[] cdb() {
        return Arrays.copyOf(cdbOrSense, Math.min(cdbLength, MAX_CDB));
    }

    /**
     * Writes the completion the host returns for this request into a 52-byte body: the request echoed
     * with the host's srb_status, scsi_status, sense_info_length, data_transfer_length and the sense
     * data (or zeros) in the CDB area.
     */
    public void writeCompleted(MemorySegment s, SrbStatus srb, int scsi, int transferred, byte[] sense) {
        write(s);
        u8(s, SRB_STATUS, (byte) srb.raw());
        u8(s, SCSI_STATUS, (byte) scsi);
        u8(s, SENSE_INFO_LENGTH, (byte) (sense == null ? 0 : sense.length));
        u32(s, DATA_TRANSFER_LENGTH, transferred);
        s.asSlice(CDB, CDB_AREA).fill((byte) 0);
        if (sense != null) {
            MemorySegment.copy(MemorySegment.ofArray(sense), 0, s, CDB, Math.min(sense.length, CDB_AREA));
        }
    }

    @Override
    public String toString() {
        return "ScsiRequest[lun %d:%d:%d, cdb %d bytes op 0x%02x, data_in %d, length %d, srb 0x%02x, scsi 0x%02x]".formatted(
                pathId, targetId, lun, cdbLength, cdbOrSense[0] & 0xFF, dataIn,
                Integer.toUnsignedLong(dataTransferLength), srbStatus, scsiStatus);
    }
}
