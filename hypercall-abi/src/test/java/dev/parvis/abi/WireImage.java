package dev.parvis.abi;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A hand-assembled little-endian byte image, written field by field at explicit offsets. */
public final class WireImage {
    private final ByteBuffer buf;

    public WireImage(int size) {
        buf = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    public WireImage u8(int at, int v) {
        buf.put(at, (byte) v);
        return this;
    }

    public WireImage u16(int at, int v) {
        buf.putShort(at, (short) v);
        return this;
    }

    public WireImage u32(int at, int v) {
        buf.putInt(at, v);
        return this;
    }

    public WireImage u64(int at, long v) {
        buf.putLong(at, v);
        return this;
    }

    public WireImage bytes(int at, byte[] v) {
        buf.put(at, v);
        return this;
    }

    public byte[] toArray() {
        return buf.array().clone();
    }

    public MemorySegment segment() {
        return MemorySegment.ofArray(toArray());
    }

    /** A segment of {@code size} bytes pre-filled with garbage, to prove writers clear padding. */
    public static MemorySegment dirty(int size) {
        return MemorySegment.ofArray(new byte[size]).fill((byte) 0xA5);
    }

    public static byte[] seq(int n, int first) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (first + i);
        }
        return b;
    }
}
