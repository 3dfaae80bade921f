package dev.parvis.vmbus.ring;

import dev.parvis.abi.vmbus.RingControl;
import dev.parvis.abi.vmbus.PacketType;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Full ring, and when producer and consumer must signal each other (reference 7.4 and 7.5). Every
 * fill is bounded by what the ring can hold, so a writer that never reports FULL fails the test
 * instead of looping forever; the class timeout is the backstop for anything else that could spin.
 */
@Timeout(30)
class RingFlowControlTest {
    private static final long SIZE = 4096;
    private final MemorySegment buffer = MemorySegment.ofArray(new byte[8192]);
    private Arena arena;
    private RingMemory memory;

    @BeforeEach
    void setUp() {
        arena = Arena.ofConfined();
        memory = RingMemory.flat(arena.allocate(SIZE + 4096, 4096));
        RingBuffer.initialize(memory);
    }

    @AfterEach
    void tearDown() {
        arena.close();
    }

    private static MemorySegment payload(int bytes, int fill) {
        MemorySegment segment = MemorySegment.ofArray(new byte[bytes]);
        segment.fill((byte) fill);
        return segment;
    }

    /**
     * Writes {@code payloadSize}-byte packets until the writer reports FULL and returns how many it
     * took; fails if the writer accepts more packets than the ring's bytes can hold.
     */
    private static int fill(RingWriter writer, int payloadSize) throws RingCorruptException {
        long most = SIZE / RingWriter.packetSize(0, payloadSize);
        for (int sent = 0; sent <= most; sent++) {
            if (writer.write(PacketType.DATA_INBAND, 0, sent, null, payload(payloadSize, sent)) == WriteResult.FULL) {
                return sent;
            }
        }
        throw new AssertionError("the writer accepted more than " + most + " packets of " + payloadSize
                + " bytes into a " + SIZE + "-byte ring without reporting FULL");
    }

    private byte[] dataImage() {
        byte[] image = new byte[(int) SIZE];
        memory.read(0, MemorySegment.ofArray(image), 0, SIZE);
        return image;
    }

    @Test
    void fullWhenFreeSpaceEqualsThePacketSize() throws Exception {
        long total = RingWriter.packetSize(0, 100); // 120
        TestRings.setIndices(memory, SIZE - total, 0); // free = total
        byte[] before = dataImage();
        RingWriter writer = new RingBuffer(memory).writer();
        assertEquals(WriteResult.FULL, writer.write(PacketType.DATA_INBAND, 0, 1, null, payload(100, 1)));
        assertEquals(SIZE - total, TestRings.word(memory, RingControl.WRITE_INDEX_OFFSET));
        assertEquals(-1, java.util.Arrays.mismatch(before, dataImage()), "nothing written");
    }

    @Test
    void writtenWhenFreeSpaceExceedsThePacketByOneAlignmentUnit() throws Exception {
        long total = RingWriter.packetSize(0, 100);
        TestRings.setIndices(memory, SIZE - total - 8, 0);
        RingWriter writer = new RingBuffer(memory).writer();
        assertEquals(WriteResult.WRITTEN, writer.write(PacketType.DATA_INBAND, 0, 1, null, payload(100, 1)));
        assertEquals(SIZE - 8, TestRings.word(memory, RingControl.WRITE_INDEX_OFFSET));
    }

    @Test
    void fillingTheRingNeverOverwritesUnreadPackets() throws Exception {
        RingBuffer ring = new RingBuffer(memory);
        List<Integer> sizes = new ArrayList<>();
        int sent = 0;
        for (int attempt = 0; attempt < 200; attempt++) {
            int size = 1 + (attempt * 53) % 400;
            WriteResult result = ring.writer().write(PacketType.DATA_INBAND, 0, sent, null, payload(size, sent));
            if (result != WriteResult.FULL) {
                sizes.add(size);
                sent++;
            }
        }
        assertTrue(ring.writer().freeBytes() < RingWriter.packetSize(0, 400) + 8);
        for (int i = 0; i < sizes.size(); i++) {
            IncomingPacket packet = ring.reader().read(buffer);
            assertNotNull(packet);
            assertEquals(i, packet.transactionId());
            RingWrapAroundTest.assertPrefixThenZeros(payload(sizes.get(i), i), packet.payload());
        }
        assertFalse(ring.reader().hasData());
    }

    @Test
    void signalOnlyWhenTheRingGoesFromEmptyToNonEmptyWithTheMaskClear() throws Exception {
        RingBuffer ring = new RingBuffer(memory);
        RingWriter writer = ring.writer();
        RingReader reader = ring.reader();
        assertEquals(WriteResult.WRITTEN_SIGNAL, writer.write(PacketType.DATA_INBAND, 0, 1, null, payload(8, 1)));
        assertEquals(WriteResult.WRITTEN, writer.write(PacketType.DATA_INBAND, 0, 2, null, payload(8, 2)));

        assertNotNull(reader.read(buffer));
        assertNotNull(reader.read(buffer));
        assertEquals(WriteResult.WRITTEN, writer.write(PacketType.DATA_INBAND, 0, 3, null, payload(8, 3)),
                "read but not committed: the consumer has not seen the ring empty");
        assertNotNull(reader.read(buffer));
        reader.commit();
        assertEquals(WriteResult.WRITTEN_SIGNAL, writer.write(PacketType.DATA_INBAND, 0, 4, null, payload(8, 4)));
    }

    @Test
    void noSignalWhileTheConsumerMasksInterrupts() throws Exception {
        RingBuffer ring = new RingBuffer(memory);
        ring.reader().setInterruptMask(true);
        assertEquals(1, TestRings.word(memory, RingControl.INTERRUPT_MASK_OFFSET));
        assertEquals(WriteResult.WRITTEN, ring.writer().write(PacketType.DATA_INBAND, 0, 1, null, payload(8, 1)));
        assertNotNull(ring.reader().read(buffer));
        ring.reader().commit();
        ring.reader().setInterruptMask(false);
        assertEquals(0, TestRings.word(memory, RingControl.INTERRUPT_MASK_OFFSET));
        assertEquals(WriteResult.WRITTEN_SIGNAL, ring.writer().write(PacketType.DATA_INBAND, 0, 2, null, payload(8, 2)));
    }

    @Test
    void commitSignalsExactlyWhenFreeSpaceRisesAboveThePendingSendSize() throws Exception {
        RingBuffer ring = new RingBuffer(memory);
        RingWriter writer = ring.writer();
        int payloadSize = 200;
        long total = RingWriter.packetSize(0, payloadSize);
        int sent = fill(writer, payloadSize);
        long big = RingWriter.packetSize(0, 1000);
        assertFalse(writer.requestSpace((int) big));
        long pending = Integer.toUnsignedLong(TestRings.word(memory, RingControl.PENDING_SEND_SIZE_OFFSET));
        assertEquals(big, pending, "pending_send_size = packet + trailer, as a Linux writer sets it");

        long free = writer.freeBytes();
        int signals = 0;
        for (int i = 0; i < sent; i++) {
            assertNotNull(ring.reader().read(buffer));
            boolean signal = ring.reader().commit();
            long newFree = free + total;
            assertEquals(free <= pending && newFree > pending, signal, "packet " + i);
            signals += signal ? 1 : 0;
            free = newFree;
        }
        assertEquals(1, signals);
        assertTrue(writer.requestSpace((int) big));
        writer.clearSpaceRequest();
        assertEquals(0, TestRings.word(memory, RingControl.PENDING_SEND_SIZE_OFFSET));
        assertEquals(WriteResult.WRITTEN_SIGNAL, writer.write(PacketType.DATA_INBAND, 0, 0, null, payload(1000, 0)));
    }

    @Test
    void commitCountsABatchOfReadsAsOneCrossing() throws Exception {
        RingBuffer ring = new RingBuffer(memory);
        int sent = fill(ring.writer(), 100);
        assertFalse(ring.writer().requestSpace(2048));
        for (int i = 0; i < sent; i++) {
            assertNotNull(ring.reader().read(buffer));
        }
        assertTrue(ring.reader().commit());
        assertFalse(ring.reader().commit(), "nothing new to publish");
    }

    /** Fills the ring with 120-byte packets, sets pending_send_size, reads one: did the commit signal? */
    private boolean signalAfterOneRead(java.util.function.LongUnaryOperator pendingFromFree) throws Exception {
        memory.control().fill((byte) 0);
        RingBuffer.initialize(memory);
        RingBuffer ring = new RingBuffer(memory);
        fill(ring.writer(), 96);
        long freeBefore = ring.writer().freeBytes();
        TestRings.setWord(memory, RingControl.PENDING_SEND_SIZE_OFFSET, (int) pendingFromFree.applyAsLong(freeBefore));
        assertNotNull(ring.reader().read(buffer));
        return ring.reader().commit();
    }

    @Test
    void linuxEdgesOfTheReadersSignal() throws Exception {
        long packet = RingWriter.packetSize(0, 96);
        assertEquals(120, packet);
        assertTrue(signalAfterOneRead(free -> free), "free == pss before, above it after: signal");
        assertTrue(signalAfterOneRead(free -> free + packet - 8), "free ends 8 bytes above pss: signal");
        assertFalse(signalAfterOneRead(free -> free + packet), "free ends exactly at pss: not enough for Linux, no signal");
        assertFalse(signalAfterOneRead(free -> free - 8), "free was above pss already: no signal");
        assertTrue(signalAfterOneRead(free -> free + 3), "a pss that is not a multiple of 8 is compared as it is");
    }

    @Test
    void aSpaceRequestIsSatisfiedOnlyByFreeSpaceStrictlyAboveIt() throws Exception {
        long total = RingWriter.packetSize(0, 100);
        TestRings.setIndices(memory, SIZE - total, 0); // free = total
        RingWriter writer = new RingBuffer(memory).writer();
        assertFalse(writer.requestSpace((int) total), "free == packet + trailer: wait");
        assertEquals(total, TestRings.word(memory, RingControl.PENDING_SEND_SIZE_OFFSET));
        TestRings.setIndices(memory, SIZE - total - 8, 0);
        assertTrue(new RingBuffer(memory).writer().requestSpace((int) total), "free == packet + trailer + 8: go");
    }

    @Test
    void noFlowControlSignalWithoutTheFeatureBitOrAPendingSize() throws Exception {
        RingBuffer ring = new RingBuffer(memory);
        for (int i = 0; i < 3; i++) {
            ring.writer().write(PacketType.DATA_INBAND, 0, i, null, payload(1000, 1));
        }
        assertNotNull(ring.reader().read(buffer));
        assertFalse(ring.reader().commit(), "pending_send_size 0");
        TestRings.setWord(memory, RingControl.PENDING_SEND_SIZE_OFFSET, 4096);
        TestRings.setWord(memory, RingControl.FEATURE_BITS_OFFSET, 0);
        assertNotNull(ring.reader().read(buffer));
        assertFalse(ring.reader().commit(), "feature bit clear");
    }

    @Test
    void commitBeforeLastGivesBackTheRoomOfThePacketsBeforeTheOneInHand() throws Exception {
        RingBuffer ring = new RingBuffer(memory);
        long each = RingWriter.packetSize(0, 1000);
        for (int i = 0; i < 3; i++) {
            ring.writer().write(PacketType.DATA_INBAND, 0, i, null, payload(1000, i));
        }
        RingReader reader = ring.reader();
        reader.read(buffer);
        reader.read(buffer);
        assertEquals(2 * each, reader.uncommittedBytes());
        reader.commitBeforeLast();
        assertEquals(each, TestRings.word(memory, RingControl.READ_INDEX_OFFSET), "only the first packet's room");
        assertEquals(each, reader.uncommittedBytes());
        reader.unreadLast();
        assertEquals(1, reader.read(buffer).transactionId(), "the packet in hand is read again");
        assertTrue(reader.read(buffer) != null);
        reader.commit();
        assertEquals(3 * each, TestRings.word(memory, RingControl.READ_INDEX_OFFSET));
        assertEquals(0, reader.uncommittedBytes());
    }

    @Test
    void unreadLastStepsBackOverOnePacketAndNeverOverAPublishedOne() throws Exception {
        RingBuffer ring = new RingBuffer(memory);
        for (int i = 0; i < 3; i++) {
            ring.writer().write(PacketType.DATA_INBAND, 0, i, null, payload(100, i));
        }
        RingReader reader = ring.reader();
        reader.read(buffer);
        reader.read(buffer);
        reader.unreadLast();
        assertEquals(1, reader.read(buffer).transactionId(), "the last packet again, not the one before it");
        reader.commit();
        reader.unreadLast(); // published: nothing to step back over
        assertEquals(2, reader.read(buffer).transactionId());
    }

    @Test
    void aBatchCommittedInTwoStepsSignalsTheWaitingWriterOnceAsItCrosses() throws Exception {
        RingBuffer ring = new RingBuffer(memory);
        int n = fill(ring.writer(), 1000);
        long each = RingWriter.packetSize(0, 1000);
        assertFalse(ring.writer().requestSpace((int) each), "the ring is full");
        RingReader reader = ring.reader();
        for (int i = 0; i < n; i++) {
            reader.read(buffer);
        }
        // Everything before the last packet frees more than the writer asked for: this step crosses.
        assertTrue(reader.commitBeforeLast(), "the step that frees the writer's room signals");
        assertFalse(reader.commit(), "the rest of the batch crosses nothing more");
    }
}
