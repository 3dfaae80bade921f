package dev.parvis.vmbus.server;

import dev.parvis.abi.vmbus.ChannelMessage;
import dev.parvis.abi.vmbus.ChannelMessageType;
import dev.parvis.abi.vmbus.GpaRange;
import dev.parvis.abi.vmbus.GpadlBody;
import dev.parvis.abi.vmbus.GpadlHeader;
import dev.parvis.abi.vmbus.VmbusConstants;
import dev.parvis.vmbus.client.GuestPages;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;

/**
 * One control message as the fuzzed guest posts it: {@code length} bytes of a buffer a little
 * larger than the largest message (so a length past 240 still lies inside it), and mutations of
 * it: a field set to a bound, the type changed, the length cut or grown, bits flipped, a GPADL's
 * range counts and sizes made to overflow.
 */
final class FuzzWire {
    static final int BUFFER = 256;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int[] BOUNDS = {0, 1, -1, 2, 3, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF, 0x1_0000, 2047, 2048, 4095,
            4096, 8190, 8191, 26, 27, 28, 29};

    final byte[] bytes = new byte[BUFFER];
    int length;
    String label;
    /** The pages of a GPADL_HEADER the guest built, else null. */
    GuestPages pages;

    static FuzzWire of(ChannelMessage m) {
        FuzzWire w = new FuzzWire();
        m.write(MemorySegment.ofArray(w.bytes));
        w.length = m.size();
        w.label = m.toString();
        return w;
    }

    /** A GPADL_HEADER of one range carrying up to 26 of {@code pfns}. */
    static FuzzWire gpadlHeader(int relid, int handle, int byteOffset, int byteCount, long[] pfns) {
        FuzzWire w = new FuzzWire();
        MemorySegment s = segment(w);
        GpaRange range = new GpaRange(byteCount, byteOffset);
        GpadlHeader.forRange(relid, handle, range).write(s);
        w.length = GpadlHeader.writeRange(s, range,
                Arrays.copyOf(pfns, Math.min(pfns.length, VmbusConstants.MAX_GPADL_HEADER_PFNS)));
        w.label = "GpadlHeader[relid=" + relid + ", gpadl=0x" + Integer.toHexString(handle) + ", offset=" + byteOffset
                + ", count=" + byteCount + ", pfns=" + pfns.length + "]";
        return w;
    }

    /** A GPADL_BODY carrying {@code pfns} (at most 28). */
    static FuzzWire gpadlBody(int handle, long[] pfns) {
        FuzzWire w = new FuzzWire();
        MemorySegment s = segment(w);
        new GpadlBody(1, handle).write(s);
        w.length = GpadlBody.writePfns(s, pfns);
        w.label = "GpadlBody[gpadl=0x" + Integer.toHexString(handle) + ", pfns=" + pfns.length + "]";
        return w;
    }

    /** Random bytes of a random length, a known type now and then. */
    static FuzzWire garbage(Random rnd) {
        FuzzWire w = new FuzzWire();
        rnd.nextBytes(w.bytes);
        w.length = rnd.nextInt(BUFFER + 1);
        if (rnd.nextBoolean()) {
            segment(w).set(U32, 0, 1 + rnd.nextInt(24));
        }
        w.label = "garbage of " + w.length + " bytes, type " + segment(w).get(U32, 0);
        return w;
    }

    MemorySegment segment() {
        return segment(this);
    }

    private static MemorySegment segment(FuzzWire w) {
        return MemorySegment.ofArray(w.bytes);
    }

    int u32(int offset) {
        return segment().get(U32, offset);
    }

    int type() {
        return length >= 4 ? u32(0) : -1;
    }

    /** Applies one random mutation and notes it in the label. */
    FuzzWire mutate(Random rnd) {
        MemorySegment s = segment();
        int kind = rnd.nextInt(type() == ChannelMessageType.GPADL_HEADER.raw() ? 7 : 5);
        switch (kind) {
            case 0 -> {
                int offset = 8 + 4 * rnd.nextInt(Math.max(1, (Math.min(length, 40) - 8) / 4));
                int value = bound(rnd, s.get(U32, offset));
                s.set(U32, offset, value);
                label += " with u32 at " + offset + " = 0x" + Integer.toHexString(value);
            }
            case 1 -> {
                int type = rnd.nextInt(4) == 0 ? bound(rnd, 0) : rnd.nextInt(26);
                s.set(U32, 0, type);
                label += " retyped " + type;
            }
            case 2 -> {
                int[] lengths = {length - 1, length - 4, length - 8, length + 4, length + 8, 0, 4, 8, 15, 16, 239, 240, 241,
                        BUFFER, BUFFER + 1, -1, rnd.nextInt(BUFFER + 1)};
                length = lengths[rnd.nextInt(lengths.length)];
                label += " of length " + length;
            }
            case 3 -> {
                for (int i = 1 + rnd.nextInt(3); i > 0; i--) {
                    int bit = rnd.nextInt(Math.max(8, Math.min(length, BUFFER)) * 8);
                    bytes[bit / 8] ^= (byte) (1 << (bit % 8));
                }
                label += " with bits flipped";
            }
            case 4 -> {
                s.set(U32, 4, rnd.nextInt());
                label += " with a reserved header word set";
            }
            case 5 -> {
                s.set(U16, 18, (short) bound(rnd, 1)); // range_count
                s.set(U16, 16, (short) bound(rnd, s.get(U16, 16))); // range_buflen
                label += " with range_count " + (s.get(U16, 18) & 0xFFFF) + ", range_buflen " + (s.get(U16, 16) & 0xFFFF);
            }
            default -> {
                s.set(U32, 20, bound(rnd, s.get(U32, 20))); // byte_count
                s.set(U32, 24, rnd.nextBoolean() ? s.get(U32, 24) : bound(rnd, 0)); // byte_offset
                label += " with byte_count 0x" + Integer.toHexString(s.get(U32, 20)) + ", byte_offset 0x"
                        + Integer.toHexString(s.get(U32, 24));
            }
        }
        return this;
    }

    /** A bound of the format, or {@code near} off by one. */
    private static int bound(Random rnd, int near) {
        return rnd.nextInt(4) == 0 ? near + (rnd.nextBoolean() ? 1 : -1) : BOUNDS[rnd.nextInt(BOUNDS.length)];
    }

    @Override
    public String toString() {
        return label;
    }
}
