package dev.parvis.devices.vhdx.format;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;
import static dev.parvis.abi.layout.LittleEndian.u64;

/** A 32-byte zero descriptor ([MS-VHDX] 2.3.1.2): zero {@code zeroLength} bytes at {@code fileOffset}. */
public record LogZeroDescriptor(long zeroLength, long fileOffset, long sequenceNumber) {
    public static final int SIGNATURE = 0x6F72657A; // "zero"

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("signature"),
            U32.withName("reserved"),
            U64.withName("zero_length"),
            U64.withName("file_offset"),
            U64.withName("sequence_number"));

    private static final long SIGNATURE_OFFSET = offset(LAYOUT, "signature");
    private static final long RESERVED = offset(LAYOUT, "reserved");
    private static final long ZERO_LENGTH = offset(LAYOUT, "zero_length");
    private static final long FILE_OFFSET = offset(LAYOUT, "file_offset");
    private static final long SEQUENCE_NUMBER = offset(LAYOUT, "sequence_number");

    public static boolean hasSignature(MemorySegment s) {
        return u32(s, SIGNATURE_OFFSET) == SIGNATURE;
    }

    public static LogZeroDescriptor read(MemorySegment s) {
        return new LogZeroDescriptor(u64(s, ZERO_LENGTH), u64(s, FILE_OFFSET), u64(s, SEQUENCE_NUMBER));
    }

    public void write(MemorySegment s) {
        u32(s, SIGNATURE_OFFSET, SIGNATURE);
        u32(s, RESERVED, 0);
        u64(s, ZERO_LENGTH, zeroLength);
        u64(s, FILE_OFFSET, fileOffset);
        u64(s, SEQUENCE_NUMBER, sequenceNumber);
    }
}
