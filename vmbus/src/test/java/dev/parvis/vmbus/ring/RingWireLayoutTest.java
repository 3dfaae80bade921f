package dev.parvis.vmbus.ring;

import dev.parvis.abi.vmbus.RingControl;
import dev.parvis.abi.vmbus.PacketType;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Packets against images assembled by hand from reference section 7.1 and 7.2. */
class RingWireLayoutTest {
    private static final int START = 64;

    /** In-band packet at data offset 64: type 6, offset8 2, len8 3, flags 1, "hello", 3 pad, trailer. */
    private static final byte[] INBAND_IMAGE = {
        0x06, 0x00, // type DATA_INBAND
        0x02, 0x00, // offset8: payload at 16
        0x03, 0x00, // len8: 24 bytes without the trailer
        0x01, 0x00, // flags: completion requested
        (byte) 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, // transaction id
        'h', 'e', 'l', 'l', 'o', 0, 0, 0, // payload and padding
        0, 0, 0, 0, 0x40, 0, 0, 0, // trailer: start offset 64 << 32
    };

    /** GPA-direct packet at 64: 12-byte type header padded to 16, offset8 4, 3-byte payload. */
    private static final byte[] GPA_DIRECT_IMAGE = {
        0x09, 0x00, 0x04, 0x00, 0x05, 0x00, 0x00, 0x00, // type 9, offset8 4, len8 5, flags 0
        0x2A, 0, 0, 0, 0, 0, 0, 0, // transaction id 42
        0, 0, 0, 0, 0x01, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0, // reserved, range_cnt 1, byte_count 16; pad
        (byte) 0xAA, (byte) 0xBB, (byte) 0xCC, 0, 0, 0, 0, 0, // payload and padding
        0, 0, 0, 0, 0x40, 0, 0, 0, // trailer
    };
    private static final byte[] GPA_HEADER = {0, 0, 0, 0, 1, 0, 0, 0, 0x10, 0, 0, 0};

    @Test
    void handMadeInbandPacketIsReadBack() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            RingMemory memory = RingMemory.flat(arena.allocate(2 * 4096, 4096));
            MemorySegment control = memory.control();
            byte[] indices = {0x60, 0, 0, 0, 0x40, 0, 0, 0}; // write_index 96, read_index 64
            for (int i = 0; i < indices.length; i++) {
                control.set(ValueLayout.JAVA_BYTE, i, indices[i]);
            }
            memory.write(START, MemorySegment.ofArray(INBAND_IMAGE), 0, INBAND_IMAGE.length);

            RingReader reader = new RingBuffer(memory).reader();
            MemorySegment buffer = MemorySegment.ofArray(new byte[256]);
            IncomingPacket packet = reader.read(buffer);

            assertEquals(PacketType.DATA_INBAND, packet.type());
            assertEquals(1, packet.flags());
            assertEquals(0x1122334455667788L, packet.transactionId());
            assertEquals(0, packet.typeHeader().byteSize());
            assertArrayEquals("hello\0\0\0".getBytes(StandardCharsets.US_ASCII),
                    packet.payload().toArray(ValueLayout.JAVA_BYTE));
            assertNull(reader.read(buffer));
            assertEquals(64, TestRings.word(memory, RingControl.READ_INDEX_OFFSET), "not published before commit");
            reader.commit();
            assertEquals(96, TestRings.word(memory, RingControl.READ_INDEX_OFFSET));
        }
    }

    @Test
    void handMadeGpaDirectPacketSplitsTypeHeaderAndPayload() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            RingMemory memory = RingMemory.flat(arena.allocate(2 * 4096, 4096));
            TestRings.setIndices(memory, START + GPA_DIRECT_IMAGE.length, START);
            memory.write(START, MemorySegment.ofArray(GPA_DIRECT_IMAGE), 0, GPA_DIRECT_IMAGE.length);

            IncomingPacket packet = new RingBuffer(memory).reader().read(MemorySegment.ofArray(new byte[256]));

            assertEquals(PacketType.DATA_USING_GPA_DIRECT, packet.type());
            assertEquals(42, packet.transactionId());
            assertArrayEquals(new byte[] {0, 0, 0, 0, 1, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0},
                    packet.typeHeader().toArray(ValueLayout.JAVA_BYTE));
            assertArrayEquals(new byte[] {(byte) 0xAA, (byte) 0xBB, (byte) 0xCC, 0, 0, 0, 0, 0},
                    packet.payload().toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void writerProducesTheHandMadeInbandImage() throws Exception {
        assertWriterImage(INBAND_IMAGE, PacketType.DATA_INBAND, 1, 0x1122334455667788L, null,
                MemorySegment.ofArray("hello".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void writerProducesTheHandMadeGpaDirectImage() throws Exception {
        assertWriterImage(GPA_DIRECT_IMAGE, PacketType.DATA_USING_GPA_DIRECT, 0, 42,
                MemorySegment.ofArray(GPA_HEADER), MemorySegment.ofArray(new byte[] {(byte) 0xAA, (byte) 0xBB, (byte) 0xCC}));
    }

    @Test
    void initializeZeroesTheControlPageAndSetsThePendingSendSizeFeature() {
        try (Arena arena = Arena.ofConfined()) {
            RingMemory memory = RingMemory.flat(arena.allocate(2 * 4096, 4096));
            memory.control().fill((byte) 0x5A);
            RingBuffer.initialize(memory);
            byte[] expected = new byte[4096];
            expected[(int) RingControl.FEATURE_BITS_OFFSET] = 1;
            assertArrayEquals(expected, memory.control().toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void packetSizeAndMaxPayloadFollowTheFreeSpaceRule() {
        try (Arena arena = Arena.ofConfined()) {
            RingMemory memory = RingMemory.flat(arena.allocate(2 * 4096, 4096));
            assertEquals(32, RingWriter.packetSize(0, 5));
            assertEquals(48, RingWriter.packetSize(12, 3));
            RingWriter writer = new RingBuffer(memory).writer();
            assertEquals(4096 - 32, writer.maxPayload());
            assertEquals(4096 - 8, RingWriter.packetSize(0, writer.maxPayload()));
        }
    }

    private static void assertWriterImage(byte[] image, PacketType type, int flags, long transactionId,
            MemorySegment typeHeader, MemorySegment payload) throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            RingMemory memory = RingMemory.flat(arena.allocate(2 * 4096, 4096));
            memory.control().set(ValueLayout.JAVA_BYTE, RingControl.INTERRUPT_MASK_OFFSET, (byte) 1);
            TestRings.setIndices(memory, START, START);
            RingWriter writer = new RingBuffer(memory).writer();

            assertEquals(WriteResult.WRITTEN, writer.write(type, flags, transactionId, typeHeader, payload));

            byte[] written = new byte[image.length];
            memory.read(START, MemorySegment.ofArray(written), 0, written.length);
            assertArrayEquals(image, written);
            byte[] writeIndex = new byte[4];
            MemorySegment.copy(memory.control(), RingControl.WRITE_INDEX_OFFSET, MemorySegment.ofArray(writeIndex), 0, 4);
            assertArrayEquals(new byte[] {(byte) (START + image.length), 0, 0, 0}, writeIndex);
            assertEquals(START, TestRings.word(memory, RingControl.READ_INDEX_OFFSET));
        }
    }
}
