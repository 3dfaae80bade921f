package dev.parvis.devices.vhdx.format;

import dev.parvis.abi.vmbus.Guid;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;
import static dev.parvis.abi.layout.LittleEndian.u64;

/**
 * The 64-byte header at the start of every log entry ([MS-VHDX] 2.3.1.1). {@code entryLength},
 * {@code tail} and {@code descriptorCount} are unsigned 32-bit values held in longs.
 */
public record LogEntryHeader(long entryLength, long tail, long sequenceNumber, long descriptorCount, Guid logGuid,
                             long flushedFileOffset, long lastFileOffset) {
    public static final int SIZE = 64;
    public static final int SIGNATURE = 0x65676F6C; // "loge"

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("signature"),
            U32.withName("checksum"),
            U32.withName("entry_length"),
            U32.withName("tail"),
            U64.withName("sequence_number"),
            U32.withName("descriptor_count"),
            U32.withName("reserved"),
            Guid.LAYOUT.withName("log_guid"),
            U64.withName("flushed_file_offset"),
            U64.withName("last_file_offset"));

    private static final long SIGNATURE_OFFSET = offset(LAYOUT, "signature");
    static final long CHECKSUM = offset(LAYOUT, "checksum");
    private static final long ENTRY_LENGTH = offset(LAYOUT, "entry_length");
    private static final long TAIL = offset(LAYOUT, "tail");
    private static final long SEQUENCE_NUMBER = offset(LAYOUT, "sequence_number");
    private static final long DESCRIPTOR_COUNT = offset(LAYOUT, "descriptor_count");
    private static final long RESERVED = offset(LAYOUT, "reserved");
    private static final long LOG_GUID = offset(LAYOUT, "log_guid");
    private static final long FLUSHED_FILE_OFFSET = offset(LAYOUT, "flushed_file_offset");
    private static final long LAST_FILE_OFFSET = offset(LAYOUT, "last_file_offset");

    public static boolean hasSignature(MemorySegment s) {
        return u32(s, SIGNATURE_OFFSET) == SIGNATURE;
    }

    public static LogEntryHeader read(MemorySegment s) {
        return new LogEntryHeader(Integer.toUnsignedLong(u32(s, ENTRY_LENGTH)), Integer.toUnsignedLong(u32(s, TAIL)),
                u64(s, SEQUENCE_NUMBER), Integer.toUnsignedLong(u32(s, DESCRIPTOR_COUNT)), Guid.read(s.asSlice(LOG_GUID)),
                u64(s, FLUSHED_FILE_OFFSET), u64(s, LAST_FILE_OFFSET));
    }

    /** Writes the header with a zero checksum; {@link LogEntry#encode} checksums the whole entry. */
    public void write(MemorySegment s) {
        u32(s, SIGNATURE_OFFSET, SIGNATURE);
        u32(s, CHECKSUM, 0);
        u32(s, ENTRY_LENGTH, (int) entryLength);
        u32(s, TAIL, (int) tail);
        u64(s, SEQUENCE_NUMBER, sequenceNumber);
        u32(s, DESCRIPTOR_COUNT, (int) descriptorCount);
        u32(s, RESERVED, 0);
        logGuid.write(s.asSlice(LOG_GUID));
        u64(s, FLUSHED_FILE_OFFSET, flushedFileOffset);
        u64(s, LAST_FILE_OFFSET, lastFileOffset);
    }

    /** Descriptor sectors of an entry with {@code count} descriptors: the header takes two slots of the first. */
    public static long descriptorSectors(long count) {
        return Math.ceilDiv(count + 2, LogEntry.DESCRIPTORS_PER_SECTOR);
    }
}
