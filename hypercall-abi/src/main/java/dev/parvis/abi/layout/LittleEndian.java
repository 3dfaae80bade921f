package dev.parvis.abi.layout;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * The primitive layouts of the ABI. The {@code U*} layouts are naturally aligned so that a
 * {@link StructLayout} built from them rejects a misplaced field exactly as a C compiler would pad
 * it; the {@code *_ACCESS} twins are unaligned because guest buffers and heap test segments carry
 * no alignment guarantee.
 */
public final class LittleEndian {
    public static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;
    public static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT.withOrder(LITTLE_ENDIAN);
    public static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT.withOrder(LITTLE_ENDIAN);
    public static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG.withOrder(LITTLE_ENDIAN);

    private static final ValueLayout.OfShort U16_ACCESS = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32_ACCESS = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64_ACCESS = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(LITTLE_ENDIAN);

    private LittleEndian() {
    }

    /** A fixed-size byte array field, e.g. {@code payload[240]}. */
    public static MemoryLayout bytes(long count, String name) {
        return MemoryLayout.sequenceLayout(count, U8).withName(name);
    }

    /** Explicit padding, so that every byte of a struct is accounted for. */
    public static MemoryLayout pad(long bytes) {
        return MemoryLayout.paddingLayout(bytes);
    }

    /** Byte offset of a named top-level field; records resolve these once into constants. */
    public static long offset(StructLayout layout, String field) {
        return layout.byteOffset(groupElement(field));
    }

    public static byte u8(MemorySegment s, long offset) {
        return s.get(U8, offset);
    }

    public static short u16(MemorySegment s, long offset) {
        return s.get(U16_ACCESS, offset);
    }

    public static int u32(MemorySegment s, long offset) {
        return s.get(U32_ACCESS, offset);
    }

    public static long u64(MemorySegment s, long offset) {
        return s.get(U64_ACCESS, offset);
    }

    public static void u8(MemorySegment s, long offset, byte value) {
        s.set(U8, offset, value);
    }

    public static void u16(MemorySegment s, long offset, short value) {
        s.set(U16_ACCESS, offset, value);
    }

    public static void u32(MemorySegment s, long offset, int value) {
        s.set(U32_ACCESS, offset, value);
    }

    public static void u64(MemorySegment s, long offset, long value) {
        s.set(U64_ACCESS, offset, value);
    }

    /** Copies {@code length} bytes out of the segment. */
    public static byte[] bytes(MemorySegment s, long offset, int length) {
        byte[] out = new byte[length];
        MemorySegment.copy(s, U8, offset, out, 0, length);
        return out;
    }

    /** Writes {@code data} and zero-fills the rest of a {@code capacity}-byte field. */
    public static void bytes(MemorySegment s, long offset, long capacity, byte[] data) {
        MemorySegment.copy(data, 0, s, U8, offset, data.length);
        s.asSlice(offset + data.length, capacity - data.length).fill((byte) 0);
    }

    /**
     * A length field read from guest memory, treated as unsigned and clamped to the field's
     * capacity so a hostile value can never over-read; the caller validates the raw field.
     */
    public static int lengthWithin(int unsignedCount, int capacity) {
        return (int) Math.min(Integer.toUnsignedLong(unsignedCount), capacity);
    }

    /** Zeroes a whole structure before a write, so padding and reserved bytes never leak host data. */
    public static void clear(MemorySegment s, StructLayout layout) {
        s.asSlice(0, layout.byteSize()).fill((byte) 0);
    }
}
