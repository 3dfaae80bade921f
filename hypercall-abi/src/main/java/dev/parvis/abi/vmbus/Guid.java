package dev.parvis.abi.vmbus;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.UUID;

import static dev.parvis.abi.layout.LittleEndian.U16;
import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.bytes;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u16;
import static dev.parvis.abi.layout.LittleEndian.u32;

/**
 * A Windows GUID, 16 bytes in the mixed-endian wire order VMBus uses (reference section 8):
 * {@code data1} u32, {@code data2} u16 and {@code data3} u16 little-endian, then the 8 bytes of
 * {@code data4} in written order. {@code data4} holds those 8 bytes as a big-endian long, so its
 * first byte is the most significant; that is also {@link UUID#getLeastSignificantBits()}.
 * Example: f8615163-df3e-46c5-913f-f2d2f965ed0e is sent as 63 51 61 f8 3e df c5 46 91 3f f2 d2
 * f9 65 ed 0e.
 */
public record Guid(int data1, short data2, short data3, long data4) {
    public static final int SIZE = 16;
    public static final Guid NULL = new Guid(0, (short) 0, (short) 0, 0);

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("data1"),
            U16.withName("data2"),
            U16.withName("data3"),
            bytes(8, "data4"));

    private static final long DATA1 = offset(LAYOUT, "data1");
    private static final long DATA2 = offset(LAYOUT, "data2");
    private static final long DATA3 = offset(LAYOUT, "data3");
    private static final long DATA4 = offset(LAYOUT, "data4");
    private static final ValueLayout.OfLong BIG_ENDIAN_U64 =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** Parses the canonical form {@code ba6163d9-04a1-4d29-b605-72e2ffb1dc7f} (case-insensitive). */
    public static Guid parse(String text) {
        if (text.length() != 36 || text.charAt(8) != '-' || text.charAt(13) != '-' || text.charAt(18) != '-'
                || text.charAt(23) != '-') {
            throw new IllegalArgumentException("not a GUID in 8-4-4-4-12 form: " + text);
        }
        try {
            long msb = Long.parseUnsignedLong(text.substring(0, 8) + text.substring(9, 13) + text.substring(14, 18), 16);
            long lsb = Long.parseUnsignedLong(text.substring(19, 23) + text.substring(24), 16);
            return fromUuid(new UUID(msb, lsb));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a GUID in 8-4-4-4-12 form: " + text, e);
        }
    }

    /** The same 128-bit value: UUID's most significant bits are data1|data2|data3. */
    public static Guid fromUuid(UUID uuid) {
        long msb = uuid.getMostSignificantBits();
        return new Guid((int) (msb >>> 32), (short) (msb >>> 16), (short) msb, uuid.getLeastSignificantBits());
    }

    public UUID toUuid() {
        long msb = (Integer.toUnsignedLong(data1) << 32) | ((data2 & 0xFFFFL) << 16) | (data3 & 0xFFFFL);
        return new UUID(msb, data4);
    }

    /** The i-th byte of data4 (0..7), in wire order. */
    public byte data4Byte(int i) {
        if (i < 0 || i > 7) {
            throw new IndexOutOfBoundsException("data4 has 8 bytes, not " + i);
        }
        return (byte) (data4 >>> (56 - 8 * i));
    }

    public static Guid read(MemorySegment s) {
        return new Guid(u32(s, DATA1), u16(s, DATA2), u16(s, DATA3), s.get(BIG_ENDIAN_U64, DATA4));
    }

    public void write(MemorySegment s) {
        u32(s, DATA1, data1);
        u16(s, DATA2, data2);
        u16(s, DATA3, data3);
        s.set(BIG_ENDIAN_U64, DATA4, data4);
    }

    /** The 16 wire bytes. */
    public byte[] toBytes() {
        byte[] out = new byte[SIZE];
        write(MemorySegment.ofArray(out));
        return out;
    }

    /** Canonical lower-case form, e.g. {@code ba6163d9-04a1-4d29-b605-72e2ffb1dc7f}. */
    @Override
    public String toString() {
        return toUuid().toString();
    }
}
