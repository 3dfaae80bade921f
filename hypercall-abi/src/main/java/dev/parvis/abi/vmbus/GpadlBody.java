package dev.parvis.abi.vmbus;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;
import static dev.parvis.abi.layout.LittleEndian.u64;

/**
 * GPADL_BODY (9), guest to host: the fixed 16 bytes (reference section 6.4), followed by up to 28
 * u64 words continuing the range buffer of the GPADL_HEADER with the same {@code gpadl}. The host
 * knows the GPADL is complete when it has range_buflen bytes.
 */
public record GpadlBody(ChannelMessageHeader header, int messageNumber, int gpadl) implements ChannelMessage {
    public static final ChannelMessageType TYPE = ChannelMessageType.GPADL_BODY;
    /** Size of the fixed part; also the offset of the PFNs. */
    public static final int SIZE = 16;
    public static final int PFNS_OFFSET = SIZE;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            ChannelMessageHeader.LAYOUT.withName("header"),
            U32.withName("msg_number"),
            U32.withName("gpadl"));

    private static final long MSG_NUMBER = offset(LAYOUT, "msg_number");
    private static final long GPADL = offset(LAYOUT, "gpadl");

    public GpadlBody {
        ChannelMessageHeader.require(header, TYPE);
    }

    public GpadlBody(int messageNumber, int gpadl) {
        this(new ChannelMessageHeader(TYPE), messageNumber, gpadl);
    }

    /** Message length of a body carrying {@code pfns} words. */
    public static int lengthWithPfns(int pfns) {
        if (pfns < 0 || pfns > VmbusConstants.MAX_GPADL_BODY_PFNS) {
            throw new IllegalArgumentException(pfns + " PFNs do not fit a GPADL_BODY");
        }
        return SIZE + 8 * pfns;
    }

    public static GpadlBody read(MemorySegment s) {
        return new GpadlBody(ChannelMessageHeader.read(s), u32(s, MSG_NUMBER), u32(s, GPADL));
    }

    /** Writes the fixed 16 bytes only; see {@link #writePfns}. */
    @Override
    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        header.write(s);
        u32(s, MSG_NUMBER, messageNumber);
        u32(s, GPADL, gpadl);
    }

    /** The fixed part; the message length is {@code SIZE} plus 8 per PFN. */
    @Override
    public int size() {
        return SIZE;
    }

    /** Writes up to 28 PFNs at offset 16 and returns the message length. */
    public static int writePfns(MemorySegment message, long[] pfns) {
        int length = lengthWithPfns(pfns.length);
        if (message.byteSize() < length) {
            throw new IllegalArgumentException("a " + length + "-byte GPADL_BODY does not fit " + message.byteSize() + " bytes");
        }
        for (int i = 0; i < pfns.length; i++) {
            u64(message, PFNS_OFFSET + 8L * i, pfns[i]);
        }
        return length;
    }

    /** Checks that a received body of {@code length} bytes carries whole u64 words after its fixed part. */
    public static void validate(MemorySegment message, int length) {
        ChannelMessageParser.requireLength(message, length, TYPE, SIZE);
        if ((length - SIZE) % 8 != 0) {
            throw new MalformedChannelMessageException(TYPE, length, "PFN part of " + (length - SIZE)
                    + " bytes is not whole u64 words");
        }
    }

    /** The words (PFNs, or range heads of a multi-range GPADL) this body carries, after {@link #validate}. */
    public static long[] readPfns(MemorySegment message, int length) {
        validate(message, length);
        long[] pfns = new long[(length - SIZE) / 8];
        for (int i = 0; i < pfns.length; i++) {
            pfns[i] = u64(message, PFNS_OFFSET + 8L * i);
        }
        return pfns;
    }
}
