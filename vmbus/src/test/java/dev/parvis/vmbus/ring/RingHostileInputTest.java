package dev.parvis.vmbus.ring;

import dev.parvis.abi.vmbus.RingControl;
import dev.parvis.abi.vmbus.PacketType;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.parvis.vmbus.ring.RingCorruptException.Reason;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Whatever the other side writes into the control page or a descriptor, the host stays safe. */
class RingHostileInputTest {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final long START = 256;
    private Arena arena;
    private TestRings.Guarded guarded;
    private RingMemory memory;

    @BeforeEach
    void setUp() {
        arena = Arena.ofConfined();
        guarded = TestRings.Guarded.create(arena, 1);
        memory = guarded.memory();
        RingBuffer.initialize(memory);
    }

    @AfterEach
    void tearDown() {
        assertTrue(guarded.guardsIntact(), "memory around the ring untouched");
        arena.close();
    }

    /** A descriptor at START with the given fields, write_index at START + readable. */
    private void descriptor(int offset8, int len8, long readable) {
        MemorySegment data = guarded.data();
        data.set(U16, START, (short) 6);
        data.set(U16, START + 2, (short) offset8);
        data.set(U16, START + 4, (short) len8);
        TestRings.setIndices(memory, START + readable, START);
    }

    private void assertCorrupt(Reason reason, MemorySegment buffer) throws Exception {
        RingReader reader = new RingBuffer(memory).reader();
        long before = reader.bytesToRead();
        RingCorruptException e = assertThrows(RingCorruptException.class, () -> reader.read(buffer));
        assertEquals(reason, e.reason(), e.getMessage());
        assertEquals(before, reader.bytesToRead(), "reader not advanced");
        RingCorruptException again = assertThrows(RingCorruptException.class, () -> reader.read(buffer));
        assertEquals(reason, again.reason());
        reader.commit();
        assertEquals(START, TestRings.word(memory, RingControl.READ_INDEX_OFFSET), "read_index not moved");
    }

    private static MemorySegment buffer(int size) {
        return MemorySegment.ofArray(new byte[size]);
    }

    @ParameterizedTest
    @ValueSource(ints = {4096, 4104, 0x7FFFFFF8, 0xFFFFFFF8, -8})
    void writeIndexBeyondTheDataAreaIsCorrupt(int writeIndex) throws Exception {
        TestRings.setIndices(memory, 0, 0);
        TestRings.setWord(memory, RingControl.WRITE_INDEX_OFFSET, writeIndex);
        RingReader reader = new RingBuffer(memory).reader();
        assertEquals(Reason.INDEX_OUT_OF_RANGE, assertThrows(RingCorruptException.class, () -> reader.read(buffer(64))).reason());
        assertEquals(Reason.INDEX_OUT_OF_RANGE, assertThrows(RingCorruptException.class, reader::hasData).reason());
        assertEquals(0, reader.bytesToRead());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4, 7, 4095, 260})
    void misalignedWriteIndexIsCorrupt(int writeIndex) throws Exception {
        TestRings.setIndices(memory, writeIndex, 0);
        RingReader reader = new RingBuffer(memory).reader();
        assertEquals(Reason.INDEX_MISALIGNED, assertThrows(RingCorruptException.class, () -> reader.read(buffer(64))).reason());
    }

    @Test
    void badReadIndexIsCorruptForTheReaderAndTheWriter() {
        TestRings.setIndices(memory, 0, 4096);
        RingBuffer ring = new RingBuffer(memory);
        assertEquals(Reason.INDEX_OUT_OF_RANGE,
                assertThrows(RingCorruptException.class, () -> ring.reader().read(buffer(64))).reason());
        assertEquals(Reason.INDEX_OUT_OF_RANGE, assertThrows(RingCorruptException.class,
                () -> ring.writer().write(PacketType.DATA_INBAND, 0, 0, null, buffer(8))).reason());
        TestRings.setIndices(memory, 0, 12);
        assertEquals(Reason.INDEX_MISALIGNED, assertThrows(RingCorruptException.class,
                () -> ring.writer().write(PacketType.DATA_INBAND, 0, 0, null, buffer(8))).reason());
        assertEquals(Reason.INDEX_MISALIGNED,
                assertThrows(RingCorruptException.class, () -> ring.writer().requestSpace(64)).reason());
        assertEquals(0, TestRings.word(memory, RingControl.WRITE_INDEX_OFFSET), "writer published nothing");
    }

    @Test
    void lengthBeyondTheReadableBytesIsCorrupt() throws Exception {
        descriptor(2, 100, 32);
        assertCorrupt(Reason.PACKET_BEYOND_DATA, buffer(4096));
    }

    @Test
    void lengthWithoutRoomForTheTrailerIsCorrupt() throws Exception {
        descriptor(2, 4, 32); // 32 bytes + 8 trailer > 32 readable
        assertCorrupt(Reason.PACKET_BEYOND_DATA, buffer(4096));
    }

    @Test
    void readableBytesTooFewForAnyPacketAreCorrupt() throws Exception {
        descriptor(2, 2, 16);
        assertCorrupt(Reason.PACKET_BEYOND_DATA, buffer(4096));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void lengthSmallerThanTheDescriptorIsCorrupt(int len8) throws Exception {
        descriptor(2, len8, 64);
        assertCorrupt(Reason.PACKET_TOO_SHORT, buffer(4096));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void dataOffsetInsideTheDescriptorIsCorrupt(int offset8) throws Exception {
        descriptor(offset8, 4, 40);
        assertCorrupt(Reason.BAD_DATA_OFFSET, buffer(4096));
    }

    @Test
    void dataOffsetPastThePacketIsCorrupt() throws Exception {
        descriptor(5, 4, 40);
        assertCorrupt(Reason.BAD_DATA_OFFSET, buffer(4096));
    }

    @Test
    void packetBiggerThanTheBufferIsCorrupt() throws Exception {
        descriptor(2, 64, 520);
        assertCorrupt(Reason.PACKET_EXCEEDS_BUFFER, buffer(511));
        assertCorrupt(Reason.PACKET_EXCEEDS_BUFFER, buffer(8));
    }

    @Test
    void aPacketExactlyAsBigAsTheBufferIsRead() throws Exception {
        descriptor(2, 64, 520);
        assertEquals(512 - 16, new RingBuffer(memory).reader().read(buffer(512)).payload().byteSize());
    }

    @Test
    void randomControlPagesAndDescriptorsGiveOnlyCorruptionOrNormalResults() {
        SplittableRandom random = new SplittableRandom(20240601);
        MemorySegment data = guarded.data();
        MemorySegment small = buffer(8);
        MemorySegment medium = buffer(600);
        MemorySegment large = buffer(8192);
        MemorySegment payload = buffer(300);
        int corrupt = 0;
        int packets = 0;
        for (int i = 0; i < 120_000; i++) {
            if (i % 1000 == 0) {
                for (long b = 0; b < data.byteSize(); b += 8) {
                    data.set(ValueLayout.JAVA_LONG, b, random.nextLong());
                }
            }
            int write = index(random);
            int read = index(random);
            TestRings.setIndices(memory, write, read);
            TestRings.setWord(memory, RingControl.INTERRUPT_MASK_OFFSET, random.nextInt());
            TestRings.setWord(memory, RingControl.PENDING_SEND_SIZE_OFFSET, random.nextInt(4) == 0 ? random.nextInt() : random.nextInt(5000));
            TestRings.setWord(memory, RingControl.FEATURE_BITS_OFFSET, random.nextInt());
            if (Integer.compareUnsigned(read, 4096 - 16) <= 0 && read % 8 == 0) {
                if (random.nextBoolean()) { // a plausible packet, sometimes with the write index right after it
                    int len8 = 2 + random.nextInt(70);
                    data.set(U16, read + 2, (short) (2 + random.nextInt(len8 - 1)));
                    data.set(U16, read + 4, (short) len8);
                    if (random.nextBoolean()) {
                        TestRings.setWord(memory, RingControl.WRITE_INDEX_OFFSET, (read + len8 * 8 + 8) % 4096);
                    }
                } else {
                    data.set(U16, read + 2, (short) (random.nextBoolean() ? random.nextInt() : random.nextInt(8)));
                    data.set(U16, read + 4, (short) (random.nextBoolean() ? random.nextInt() : random.nextInt(80)));
                }
            }
            RingBuffer ring = new RingBuffer(memory);
            MemorySegment target = switch (random.nextInt(3)) {
                case 0 -> small;
                case 1 -> medium;
                default -> large;
            };
            try {
                ring.reader().setInterruptMask(random.nextBoolean());
                ring.reader().bytesToRead();
                ring.reader().hasData();
                for (int n = 0; n < 3 && ring.reader().read(target) != null; n++) {
                    packets++;
                }
                ring.reader().commit();
                ring.writer().write(PacketType.of(random.nextInt()), random.nextInt(), random.nextLong(), null,
                        payload.asSlice(0, random.nextInt(300)));
                ring.writer().requestSpace(1 + random.nextInt(2000));
                ring.writer().freeBytes();
                ring.writer().clearSpaceRequest();
            } catch (RingCorruptException e) {
                corrupt++;
            } catch (RuntimeException | Error e) {
                fail("iteration " + i + ": write=" + write + " read=" + read, e);
            }
        }
        assertTrue(corrupt > 10_000 && packets > 10_000, "both outcomes exercised: " + corrupt + " corrupt, " + packets + " packets");
    }

    /** Mostly plausible indices, sometimes anything. */
    private static int index(SplittableRandom random) {
        return switch (random.nextInt(4)) {
            case 0 -> random.nextInt();
            case 1 -> random.nextInt(4096 + 64);
            default -> random.nextInt(512) * 8;
        };
    }
}
