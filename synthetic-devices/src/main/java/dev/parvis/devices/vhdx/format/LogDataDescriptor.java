package dev.parvis.devices.vhdx.format;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;
import static dev.parvis.abi.layout.LittleEndian.u64;

/**
 * A 32-byte data descriptor ([MS-VHDX] 2.3.1.3): one 4 KiB write at {@code fileOffset}, whose first 8
 * and last 4 bytes travel here while the middle 4084 travel in the matching data sector.
 */
public record LogDataDescriptor(int trailingBytes, long leadingBytes, long fileOffset, long sequenceNumber) {
    public static final int SIGNATURE = 0x63736564; // "desc"

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("signature"),
            U32.withName("trailing_bytes"),
            U64.withName("leading_bytes"),
            U64.withName("file_offset"),
            U64.withName("sequence_number"));

    private static final long SIGNATURE_OFFSET = offset(LAYOUT, "signature");
    private static final long TRAILING_BYTES = offset(LAYOUT, "trailing_bytes");
    private static final long LEADING_BYTES = offset(LAYOUT, "leading_bytes");
    private static final long FILE_OFFSET = offset(LAYOUT, "file_offset");
    private static final long SEQUENCE_NUMBER = offset(LAYOUT, "sequence_number");

    public static boolean hasSignature(MemorySegment s) {
        return u32(s, SIGNATURE_OFFSET) == SIGNATURE;
    }

    public static LogDataDescriptor read(MemorySegment s) {
        return new LogDataDescriptor(u32(s, TRAILING_BYTES), u64(s, LEADING_BYTES), u64(s, FILE_OFFSET),
                u64(s, SEQUENCE_NUMBER));
    }

    public void write(MemorySegment s) {
        u32(s, SIGNATURE_OFFSET, SIGNATURE);
        u32(s, TRAILING_BYTES, trailingBytes);
        u64(s, LEADING_BYTES, leadingBytes);
        u64(s, FILE_OFFSET, fileOffset);
        u64(s, SEQUENCE_NUMBER, sequenceNumber);
    }
}
