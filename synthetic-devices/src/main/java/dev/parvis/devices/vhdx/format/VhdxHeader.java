package dev.parvis.devices.vhdx.format;

import dev.parvis.abi.vmbus.Guid;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U16;
import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.bytes;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u16;
import static dev.parvis.abi.layout.LittleEndian.u32;
import static dev.parvis.abi.layout.LittleEndian.u64;

/**
 * One of the two 4 KiB headers at 64 KiB and 128 KiB ([MS-VHDX] 2.2.2). The valid header with the
 * greater {@code sequenceNumber} is current; headers are never logged, they alternate instead.
 * {@code logLength} is an unsigned 32-bit count held in a long.
 */
public record VhdxHeader(long sequenceNumber, Guid fileWriteGuid, Guid dataWriteGuid, Guid logGuid,
                         int logVersion, int version, long logLength, long logOffset) {
    public static final int SIZE = 4096;
    public static final int SIGNATURE = 0x64616568; // "head"
    public static final int CURRENT_VERSION = 1;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("signature"),
            U32.withName("checksum"),
            U64.withName("sequence_number"),
            Guid.LAYOUT.withName("file_write_guid"),
            Guid.LAYOUT.withName("data_write_guid"),
            Guid.LAYOUT.withName("log_guid"),
            U16.withName("log_version"),
            U16.withName("version"),
            U32.withName("log_length"),
            U64.withName("log_offset"),
            bytes(4016, "reserved"));

    private static final long SIGNATURE_OFFSET = offset(LAYOUT, "signature");
    private static final long CHECKSUM = offset(LAYOUT, "checksum");
    private static final long SEQUENCE_NUMBER = offset(LAYOUT, "sequence_number");
    private static final long FILE_WRITE_GUID = offset(LAYOUT, "file_write_guid");
    private static final long DATA_WRITE_GUID = offset(LAYOUT, "data_write_guid");
    private static final long LOG_GUID = offset(LAYOUT, "log_guid");
    private static final long LOG_VERSION = offset(LAYOUT, "log_version");
    private static final long VERSION = offset(LAYOUT, "version");
    private static final long LOG_LENGTH = offset(LAYOUT, "log_length");
    private static final long LOG_OFFSET = offset(LAYOUT, "log_offset");
    private static final long RESERVED = offset(LAYOUT, "reserved");

    /** Valid = signature and checksum both correct ([MS-VHDX] 2.2.2); the fields are checked separately. */
    public static boolean isValid(MemorySegment s) {
        return u32(s, SIGNATURE_OFFSET) == SIGNATURE && VhdxChecksum.matches(s.asSlice(0, SIZE), CHECKSUM);
    }

    public static VhdxHeader read(MemorySegment s) {
        return new VhdxHeader(u64(s, SEQUENCE_NUMBER),
                Guid.read(s.asSlice(FILE_WRITE_GUID)), Guid.read(s.asSlice(DATA_WRITE_GUID)),
                Guid.read(s.asSlice(LOG_GUID)), u16(s, LOG_VERSION) & 0xFFFF, u16(s, VERSION) & 0xFFFF,
                Integer.toUnsignedLong(u32(s, LOG_LENGTH)), u64(s, LOG_OFFSET));
    }

    /** Writes all 4 KiB (reserved bytes zero) and the checksum. */
    public void write(MemorySegment s) {
        u32(s, SIGNATURE_OFFSET, SIGNATURE);
        u64(s, SEQUENCE_NUMBER, sequenceNumber);
        fileWriteGuid.write(s.asSlice(FILE_WRITE_GUID));
        dataWriteGuid.write(s.asSlice(DATA_WRITE_GUID));
        logGuid.write(s.asSlice(LOG_GUID));
        u16(s, LOG_VERSION, (short) logVersion);
        u16(s, VERSION, (short) version);
        u32(s, LOG_LENGTH, (int) logLength);
        u64(s, LOG_OFFSET, logOffset);
        s.asSlice(RESERVED, SIZE - RESERVED).fill((byte) 0);
        VhdxChecksum.store(s.asSlice(0, SIZE), CHECKSUM);
    }

    /** Whether the log holds entries that must be replayed before anything else is read. */
    public boolean logIsActive() {
        return !logGuid.equals(Guid.NULL);
    }

    /**
     * The checks that need no other structure ([MS-VHDX] 2.2.2): version 1, log version 0 unless the
     * log is empty, log offset and length 1 MiB multiples, log after the header section.
     */
    public void validate() throws VhdxFormatException {
        if (version != CURRENT_VERSION) {
            throw refusal("Version", "is " + version + ", only version 1 is defined");
        }
        if (logVersion != 0 && logIsActive()) {
            throw refusal("LogVersion", "is " + logVersion + " with a non-empty log; only log version 0 is defined");
        }
        if (!VhdxLayout.isAligned(logLength, VhdxLayout.ALIGNMENT)) {
            throw refusal("LogLength", logLength + " is not a multiple of 1 MiB");
        }
        if (logLength == 0 && logIsActive()) {
            throw refusal("LogLength", "is 0 but LogGuid " + logGuid + " says the log holds entries");
        }
        if (logLength != 0 && (logOffset < VhdxLayout.HEADER_SECTION_SIZE
                || !VhdxLayout.isAligned(logOffset, VhdxLayout.ALIGNMENT))) {
            throw refusal("LogOffset", "0x" + Long.toHexString(logOffset) + " is not a 1 MiB multiple after the header section");
        }
    }

    private static VhdxFormatException refusal(String field, String reason) {
        return new VhdxFormatException(VhdxStructure.HEADER, field, reason);
    }

    public VhdxHeader withSequenceNumber(long sequence) {
        return new VhdxHeader(sequence, fileWriteGuid, dataWriteGuid, logGuid, logVersion, version, logLength, logOffset);
    }

    public VhdxHeader withWriteGuids(Guid fileWrite, Guid dataWrite) {
        return new VhdxHeader(sequenceNumber, fileWrite, dataWrite, logGuid, logVersion, version, logLength, logOffset);
    }

    public VhdxHeader withLogGuid(Guid log) {
        return new VhdxHeader(sequenceNumber, fileWriteGuid, dataWriteGuid, log, 0, version, logLength, logOffset);
    }
}
