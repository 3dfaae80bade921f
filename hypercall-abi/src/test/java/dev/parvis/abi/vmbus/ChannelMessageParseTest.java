package dev.parvis.abi.vmbus;

import dev.parvis.abi.WireImage;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Channel messages come from guests: parsing checks every length and throws only MalformedChannelMessageException. */
class ChannelMessageParseTest {

    private static MalformedChannelMessageException malformed(byte[] bytes, int length) {
        return assertThrows(MalformedChannelMessageException.class,
                () -> ChannelMessage.parse(MemorySegment.ofArray(bytes), length));
    }

    @Test
    void randomBytesOfRandomLengthsNeverEscapeAsAnythingElse() {
        SplittableRandom random = new SplittableRandom(0x7A0C6D1E);
        int parsed = 0;
        for (int i = 0; i < 100_000; i++) {
            byte[] bytes = new byte[random.nextInt(241)];
            random.nextBytes(bytes);
            if (bytes.length >= 4 && random.nextInt(4) != 0) {
                // Mostly known types, so the fuzz reaches every reader and the GPADL checks.
                MemorySegment.ofArray(bytes).set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 0, random.nextInt(26));
            }
            if (bytes.length >= 20 && random.nextBoolean()) {
                // Small GPADL range fields, so some pass the first checks.
                bytes[16] = (byte) (random.nextInt(4) * 8);
                bytes[17] = 0;
                bytes[18] = (byte) random.nextInt(3);
                bytes[19] = 0;
            }
            int length = random.nextInt(8) == 0 ? random.nextInt(-4, 300) : bytes.length;
            try {
                ChannelMessage m = ChannelMessage.parse(MemorySegment.ofArray(bytes), length);
                assertTrue(m.size() <= length);
                parsed++;
            } catch (MalformedChannelMessageException expected) {
                assertTrue(expected.reason() != null && !expected.reason().isEmpty());
            } catch (Throwable t) {
                fail("input of " + bytes.length + " bytes (length " + length + ") escaped with " + t, t);
            }
        }
        assertTrue(parsed > 1000, "the fuzz should also produce valid messages: " + parsed);
    }

    @Test
    void tooShortTooLongAndBeyondTheBufferAreMalformed() {
        assertEquals(null, malformed(new byte[4], 4).messageType());
        byte[] offer = new WireImage(240).u32(0, 1).toArray();
        assertEquals(ChannelMessageType.OFFER_CHANNEL, malformed(offer, 195).messageType());
        assertInstanceOf(OfferChannel.class, ChannelMessage.parse(MemorySegment.ofArray(offer), 196));
        assertInstanceOf(OfferChannel.class, ChannelMessage.parse(MemorySegment.ofArray(offer), 240));
        malformed(new WireImage(256).u32(0, 1).toArray(), 241);
        malformed(new WireImage(12).u32(0, 7).toArray(), 16);
        malformed(new byte[8], -1);
    }

    @Test
    void everyModelledTypeHasItsMinimumAndOthersAreRefused() {
        for (int type = 0; type < 40; type++) {
            ChannelMessageType t = ChannelMessageType.of(type);
            int min = ChannelMessage.minimumSize(t);
            byte[] bytes = new WireImage(240).u32(0, type).toArray();
            if (min < 0) {
                assertEquals("unsupported message type", malformed(bytes, 240).reason(), t.toString());
                continue;
            }
            malformed(bytes, min - 1);
            if (t.equals(GpadlHeader.TYPE)) {
                continue; // needs consistent ranges, covered below
            }
            assertEquals(t, ChannelMessage.parse(MemorySegment.ofArray(bytes), min).type());
        }
        assertEquals(-1, ChannelMessage.minimumSize(ChannelMessageType.of(-1)));
    }

    @Test
    void gpadlHeaderRangesMustFitTheMessageAndRangeBufLen() {
        // One range of 3 pages: range_buflen 32 = 8 + 3 x 8.
        WireImage ok = new WireImage(52).u32(0, 8).u16(16, 32).u16(18, 1).u32(20, 3 * 4096).u64(28, 1).u64(36, 2).u64(44, 3);
        assertInstanceOf(GpadlHeader.class, ChannelMessage.parse(ok.segment(), 52));
        assertEquals(3, GpadlHeader.readPfns(ok.segment(), 52).length);

        assertEquals("range_count is 0", malformed(ok.u16(18, 0).toArray(), 52).reason());
        ok.u16(18, 1);
        malformed(ok.u16(16, 33).toArray(), 52); // not a multiple of 8
        malformed(ok.u16(16, 40).toArray(), 52); // declares more than the range needs
        malformed(ok.u16(16, 24).toArray(), 52); // message carries more than range_buflen
        ok.u16(16, 32);
        malformed(ok.toArray(), 51); // not whole words
        malformed(ok.u32(20, 0).toArray(), 52); // empty range
        ok.u32(20, 3 * 4096);
        malformed(ok.u16(18, 5).toArray(), 52); // 5 heads need 40 bytes
        ok.u16(18, 2).u16(16, 48);
        // The second range's head and PFN (16 bytes) may follow in a GPADL_BODY: valid so far.
        assertInstanceOf(GpadlHeader.class, ChannelMessage.parse(ok.segment(), 52));
    }

    @Test
    void gpadlHeaderMayContinueInBodies() {
        // One range of 30 pages: 26 PFNs in the header, 4 in a body.
        WireImage header = new WireImage(240).u32(0, 8).u32(12, 0x10).u16(16, 8 + 30 * 8).u16(18, 1).u32(20, 30 * 4096);
        int length = GpadlHeader.lengthWithPfns(VmbusConstants.MAX_GPADL_HEADER_PFNS);
        assertEquals(236, length);
        assertInstanceOf(GpadlHeader.class, ChannelMessage.parse(header.segment(), length));
        assertEquals(26, GpadlHeader.readPfns(header.segment(), length).length);
        WireImage body = new WireImage(48).u32(0, 9).u32(12, 0x10);
        assertEquals(4, GpadlBody.readPfns(body.segment(), GpadlBody.lengthWithPfns(4)).length);
        malformed(body.toArray(), 47);
        assertThrows(IllegalArgumentException.class, () -> GpadlHeader.lengthWithPfns(27));
        assertThrows(IllegalArgumentException.class, () -> GpadlBody.lengthWithPfns(29));
    }

    @Test
    void multiRangeGpadlsAddUp() {
        // Two ranges: 1 page + 2 pages = (8 + 8) + (8 + 16) = 40 bytes.
        WireImage two = new WireImage(60).u32(0, 8).u16(16, 40).u16(18, 2)
                .u32(20, 100).u64(28, 7).u32(36, 5000).u32(40, 0).u64(44, 8).u64(52, 9);
        assertInstanceOf(GpadlHeader.class, ChannelMessage.parse(two.segment(), 60));
        assertEquals(5, GpadlHeader.readRangeWords(two.segment(), 60).length);
        malformed(two.u16(16, 48).toArray(), 60);
    }
}
