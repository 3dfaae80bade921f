package dev.parvis.abi.vmbus;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U16;
import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u16;
import static dev.parvis.abi.layout.LittleEndian.u32;
import static dev.parvis.abi.layout.LittleEndian.u64;

/**
 * GPADL_HEADER (8), guest to host: the fixed 20 bytes (reference section 6.4). The range buffer
 * follows at offset 20: {@code rangeCount} {@link GpaRange} heads, each followed by its PFNs, in
 * all {@code rangeBufferLength} bytes; what does not fit in this message continues in
 * {@link GpadlBody} messages. The static helpers read and write that variable part and check it
 * against the message length, never reading past it.
 */
public record GpadlHeader(ChannelMessageHeader header, int childRelid, int gpadl, short rangeBufferLength,
                          short rangeCount) implements ChannelMessage {
    public static final ChannelMessageType TYPE = ChannelMessageType.GPADL_HEADER;
    /** Size of the fixed part; also the offset of the range buffer. */
    public static final int SIZE = 20;
    public static final int RANGES_OFFSET = SIZE;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ChannelMessageHeader.LAYOUT.withName("header"),
            U32.withName("child_relid"),
            U32.withName("gpadl"),
            U16.withName("range_buflen"),
            U16.withName("range_count"));

    private static final long CHILD_RELID = offset(LAYOUT, "child_relid");
    private static final long GPADL = offset(LAYOUT, "gpadl");
    private static final long RANGE_BUFLEN = offset(LAYOUT, "range_buflen");
    private static final long RANGE_COUNT = offset(LAYOUT, "range_count");

    public GpadlHeader {
        ChannelMessageHeader.require(header, TYPE);
    }

    public GpadlHeader(int childRelid, int gpadl, short rangeBufferLength, short rangeCount) {
        this(new ChannelMessageHeader(TYPE), childRelid, gpadl, rangeBufferLength, rangeCount);
    }

    /** The fixed part for a GPADL of one range, with range_buflen = 8 + 8 x its page count. */
    public static GpadlHeader forRange(int childRelid, int gpadl, GpaRange range) {
        long buflen = range.wireSize();
        if (buflen > 0xFFFF) {
            throw new IllegalArgumentException(range + " needs " + buflen + " bytes, more than range_buflen can say");
        }
        return new GpadlHeader(childRelid, gpadl, (short) buflen, (short) 1);
    }

    /** Message length of a one-range header carrying {@code pfns} PFNs. */
    public static int lengthWithPfns(int pfns) {
        if (pfns < 0 || pfns > VmbusConstants.MAX_GPADL_HEADER_PFNS) {
            throw new IllegalArgumentException(pfns + " PFNs do not fit a GPADL_HEADER");
        }
        return SIZE + GpaRange.SIZE + 8 * pfns;
    }

    public int rangeBufferLengthUnsigned() {
        return rangeBufferLength & 0xFFFF;
    }

    public int rangeCountUnsigned() {
        return rangeCount & 0xFFFF;
    }

    public static GpadlHeader read(MemorySegment s) {
        return new GpadlHeader(ChannelMessageHeader.read(s), u32(s, CHILD_RELID), u32(s, GPADL), u16(s, RANGE_BUFLEN),
                u16(s, RANGE_COUNT));
    }

    /** Writes the fixed 20 bytes only; see {@link #writeRange}. */
    @Override
    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        header.write(s);
        u32(s, CHILD_RELID, childRelid);
        u32(s, GPADL, gpadl);
        u16(s, RANGE_BUFLEN, rangeBufferLength);
        u16(s, RANGE_COUNT, rangeCount);
    }

    /** The fixed part; the message length is {@code SIZE} plus the range bytes carried. */
    @Override
    public int size() {
        return SIZE;
    }

    /**
     * Writes one range head at offset 20 and its first {@code pfns.length} (at most 26) PFNs after
     * it, and returns the message length. The fixed part is written separately.
     */
    public static int writeRange(MemorySegment message, GpaRange range, long[] pfns) {
        int length = lengthWithPfns(pfns.length);
        if (message.byteSize() < length) {
            throw new IllegalArgumentException("a " + length + "-byte GPADL_HEADER does not fit " + message.byteSize() + " bytes");
        }
        range.write(message.asSlice(RANGES_OFFSET, GpaRange.SIZE));
        for (int i = 0; i < pfns.length; i++) {
            u64(message, RANGES_OFFSET + GpaRange.SIZE + 8L * i, pfns[i]);
        }
        return length;
    }

    /**
     * Checks the variable part of a received GPADL_HEADER of {@code length} bytes: range_count is
     * at least 1, range_buflen is a multiple of 8 that holds range_count heads, the message carries
     * whole u64 words but no more than range_buflen and at least the first head, and every range
     * described completely in this message adds up to range_buflen.
     */
    public static void validate(MemorySegment message, int length) {
        ChannelMessageParser.requireLength(message, length, TYPE, SIZE);
        int buflen = u16(message, RANGE_BUFLEN) & 0xFFFF;
        int count = u16(message, RANGE_COUNT) & 0xFFFF;
        int carried = length - SIZE;
        if (count == 0) {
            throw malformed(length, "range_count is 0");
        }
        if (buflen % 8 != 0 || buflen < GpaRange.SIZE * count) {
            throw malformed(length, "range_buflen " + buflen + " cannot hold " + count + " ranges");
        }
        if (carried % 8 != 0) {
            throw malformed(length, "range buffer part of " + carried + " bytes is not whole u64 words");
        }
        if (carried > buflen) {
            throw malformed(length, "carries " + carried + " range bytes, more than range_buflen " + buflen);
        }
        if (carried < GpaRange.SIZE) {
            throw malformed(length, "no gpa_range");
        }
        long position = 0;
        int walked = 0;
        while (walked < count && position + GpaRange.SIZE <= carried) {
            GpaRange range = GpaRange.read(message.asSlice(RANGES_OFFSET + position, GpaRange.SIZE));
            if (range.byteCount() == 0) {
                throw malformed(length, "range " + walked + " is empty");
            }
            position += range.wireSize();
            walked++;
            if (position > buflen) {
                throw malformed(length, "ranges need more than range_buflen " + buflen + " bytes");
            }
        }
        if (walked == count && position != buflen) {
            throw malformed(length, "ranges take " + position + " bytes but range_buflen is " + buflen);
        }
    }

    /** The range buffer words this message carries (range heads and PFNs), after {@link #validate}. */
    public static long[] readRangeWords(MemorySegment message, int length) {
        validate(message, length);
        long[] words = new long[(length - SIZE) / 8];
        for (int i = 0; i < words.length; i++) {
            words[i] = u64(message, RANGES_OFFSET + 8L * i);
        }
        return words;
    }

    /** The first range's head, after {@link #validate}. */
    public static GpaRange readRange(MemorySegment message, int length) {
        validate(message, length);
        return GpaRange.read(message.asSlice(RANGES_OFFSET, GpaRange.SIZE));
    }

    /**
     * The first range's PFNs carried in this message (at most 26; for a one-range GPADL the rest
     * arrive in GPADL_BODY messages), after {@link #validate}.
     */
    public static long[] readPfns(MemorySegment message, int length) {
        GpaRange range = readRange(message, length);
        int inMessage = (length - SIZE - GpaRange.SIZE) / 8;
        int count = (int) Math.min(range.pageCount(), inMessage);
        long[] pfns = new long[count];
        for (int i = 0; i < count; i++) {
            pfns[i] = u64(message, RANGES_OFFSET + GpaRange.SIZE + 8L * i);
        }
        return pfns;
    }

    private static MalformedChannelMessageException malformed(int length, String reason) {
        return new MalformedChannelMessageException(TYPE, length, reason);
    }
}
