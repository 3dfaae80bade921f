package dev.parvis.devices.vhdx.format;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.bytes;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;

/**
 * A 4 KiB log data sector ([MS-VHDX] 2.3.1.4): bytes 8..4091 of one update, framed by the entry's
 * sequence number split high/low so a torn or misplaced sector fails validation.
 */
public final class LogDataSector {
    public static final int SIZE = 4096;
    public static final int SIGNATURE = 0x61746164; // "data"
    public static final int DATA_BYTES = 4084;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("signature"),
            U32.withName("sequence_high"),
            bytes(DATA_BYTES, "data"),
            U32.withName("sequence_low"));

    private static final long SIGNATURE_OFFSET = offset(LAYOUT, "signature");
    private static final long SEQUENCE_HIGH = offset(LAYOUT, "sequence_high");
    static final long DATA = offset(LAYOUT, "data");
    private static final long SEQUENCE_LOW = offset(LAYOUT, "sequence_low");

    private LogDataSector() {
    }

    /** Whether the sector is a data sector of the entry with this sequence number. */
    public static boolean belongsTo(MemorySegment s, long sequenceNumber) {
        return u32(s, SIGNATURE_OFFSET) == SIGNATURE && u32(s, SEQUENCE_HIGH) == (int) (sequenceNumber >>> 32)
                && u32(s, SEQUENCE_LOW) == (int) sequenceNumber;
    }

    /** Frames bytes 8..4091 of {@code update} for an entry with this sequence number. */
    public static void write(MemorySegment s, long sequenceNumber, MemorySegment update) {
        u32(s, SIGNATURE_OFFSET, SIGNATURE);
        u32(s, SEQUENCE_HIGH, (int) (sequenceNumber >>> 32));
        MemorySegment.copy(update, 8, s, DATA, DATA_BYTES);
        u32(s, SEQUENCE_LOW, (int) sequenceNumber);
    }
}
