package dev.parvis.devices.vhdx.format;

import java.lang.foreign.MemorySegment;
import java.util.zip.CRC32C;

import static dev.parvis.abi.layout.LittleEndian.u32;

/**
 * The CRC-32C rule shared by headers, region tables and log entries ([MS-VHDX] 2): the checksum
 * covers the whole span with its own 4-byte field read as zero, and is stored little-endian.
 */
public final class VhdxChecksum {
    private static final byte[] ZERO_FIELD = new byte[4];

    private VhdxChecksum() {
    }

    /** The checksum of {@code span} as if the field at {@code fieldOffset} were zero; the span is not changed. */
    public static int compute(MemorySegment span, long fieldOffset) {
        CRC32C crc = new CRC32C();
        crc.update(span.asSlice(0, fieldOffset).asByteBuffer());
        crc.update(ZERO_FIELD);
        crc.update(span.asSlice(fieldOffset + 4).asByteBuffer());
        return (int) crc.getValue();
    }

    public static boolean matches(MemorySegment span, long fieldOffset) {
        return compute(span, fieldOffset) == u32(span, fieldOffset);
    }

    /** Computes and stores the checksum field. */
    public static void store(MemorySegment span, long fieldOffset) {
        u32(span, fieldOffset, 0);
        u32(span, fieldOffset, compute(span, fieldOffset));
    }
}
