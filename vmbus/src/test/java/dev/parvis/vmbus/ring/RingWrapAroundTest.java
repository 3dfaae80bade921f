package dev.parvis.vmbus.ring;

import dev.parvis.abi.vmbus.RingControl;
import dev.parvis.abi.vmbus.PacketType;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Packets that cross the end of the data area (and page boundaries) round-trip intact. */
class RingWrapAroundTest {
    private static final int DATA_PAGES = 3;

    @ParameterizedTest
    @EnumSource(TestRings.Kind.class)
    void packetsCrossingTheEndOfTheDataAreaRoundTrip(TestRings.Kind kind) throws Exception {
        Random random = new Random(1234);
        try (Arena arena = Arena.ofConfined()) {
            RingMemory memory = kind.create(arena, DATA_PAGES);
            long size = memory.dataSize();
            MemorySegment buffer = MemorySegment.ofArray(new byte[8192]);
            int checked = 0;
            for (int back = 8; back <= 640; back += 8) {
                for (int payloadSize = 1; payloadSize <= 700; payloadSize += 37) {
                    int headerSize = random.nextInt(3) == 0 ? 4 + random.nextInt(40) : 0;
                    long start = size - back;
                    RingBuffer.initialize(memory);
                    TestRings.setIndices(memory, start, start);
                    RingBuffer ring = new RingBuffer(memory);
                    MemorySegment header = headerSize == 0 ? null : TestRings.randomBytes(random, headerSize);
                    MemorySegment payload = TestRings.randomBytes(random, payloadSize);
                    long txid = random.nextLong();

                    WriteResult result = ring.writer().write(PacketType.DATA_USING_GPA_DIRECT, 0, txid, header, payload);
                    assertEquals(WriteResult.WRITTEN_SIGNAL, result);
                    long total = RingWriter.packetSize(headerSize, payloadSize);
                    long end = (start + total) % size;
                    assertEquals(end, Integer.toUnsignedLong(TestRings.word(memory, RingControl.WRITE_INDEX_OFFSET)));
                    assertEquals(start << 32, trailerAt(memory, (end - 8 + size) % size));

                    IncomingPacket packet = ring.reader().read(buffer);
                    assertNotNull(packet);
                    assertEquals(txid, packet.transactionId());
                    assertEquals(PacketType.DATA_USING_GPA_DIRECT, packet.type());
                    assertPrefixThenZeros(header, packet.typeHeader());
                    assertPrefixThenZeros(payload, packet.payload());
                    assertNull(ring.reader().read(buffer));
                    ring.reader().commit();
                    assertEquals(end, Integer.toUnsignedLong(TestRings.word(memory, RingControl.READ_INDEX_OFFSET)));
                    checked++;
                }
            }
            assertTrue(checked > 1000);
        }
    }

    @ParameterizedTest
    @EnumSource(TestRings.Kind.class)
    void aLongStreamOfMixedSizesKeepsItsOrderAcrossManyWraps(TestRings.Kind kind) throws Exception {
        Random random = new Random(99);
        try (Arena arena = Arena.ofConfined()) {
            RingMemory memory = kind.create(arena, DATA_PAGES);
            RingBuffer.initialize(memory);
            RingBuffer ring = new RingBuffer(memory);
            MemorySegment buffer = MemorySegment.ofArray(new byte[16384]);
            Random expected = new Random(7);
            Random produced = new Random(7);
            long sent = 0;
            long received = 0;
            MemorySegment pending = null;
            while (received < 20_000) {
                while (sent < 20_000) {
                    if (pending == null) {
                        pending = TestRings.randomBytes(produced, 1 + produced.nextInt(3000));
                    }
                    if (ring.writer().write(PacketType.DATA_INBAND, 0, sent, null, pending) == WriteResult.FULL) {
                        break;
                    }
                    pending = null;
                    sent++;
                }
                IncomingPacket packet;
                int batch = 1 + random.nextInt(4);
                while (batch-- > 0 && (packet = ring.reader().read(buffer)) != null) {
                    MemorySegment want = TestRings.randomBytes(expected, 1 + expected.nextInt(3000));
                    assertEquals(received, packet.transactionId());
                    assertPrefixThenZeros(want, packet.payload());
                    received++;
                }
                ring.reader().commit();
            }
        }
    }

    private static long trailerAt(RingMemory memory, long offset) {
        MemorySegment word = MemorySegment.ofArray(new long[1]);
        memory.read(offset, word, 0, 8);
        return word.get(ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
    }

    static void assertPrefixThenZeros(MemorySegment expected, MemorySegment actual) {
        long n = expected == null ? 0 : expected.byteSize();
        assertEquals((n + 7) & ~7L, actual.byteSize(), "padded length");
        if (n > 0) {
            assertEquals(-1, MemorySegment.mismatch(expected, 0, n, actual, 0, n), "content");
        }
        for (long i = n; i < actual.byteSize(); i++) {
            assertEquals(0, actual.get(ValueLayout.JAVA_BYTE, i), "padding");
        }
    }
}
