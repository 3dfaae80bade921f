package dev.parvis.vmbus.ring;

import dev.parvis.abi.vmbus.PacketType;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A GPADL view revoked under a ring makes ring operations throw IllegalStateException. */
class RingRevocationTest {
    private static final MemorySegment PAYLOAD = MemorySegment.ofArray(new byte[100]);

    @Test
    void aClosedFlatRingThrowsIllegalStateException() throws Exception {
        Arena arena = Arena.ofShared();
        RingMemory memory = RingMemory.flat(arena.allocate(4 * 4096, 4096));
        RingBuffer.initialize(memory);
        RingBuffer ring = new RingBuffer(memory);
        assertEquals(WriteResult.WRITTEN_SIGNAL, ring.writer().write(PacketType.DATA_INBAND, 0, 1, null, PAYLOAD));
        arena.close();
        MemorySegment buffer = MemorySegment.ofArray(new byte[4096]);
        assertThrows(IllegalStateException.class, () -> ring.reader().read(buffer));
        assertThrows(IllegalStateException.class, () -> ring.writer().write(PacketType.DATA_INBAND, 0, 2, null, PAYLOAD));
        assertThrows(IllegalStateException.class, () -> ring.reader().setInterruptMask(false));
    }

    @Test
    void aRevokedScatteredViewThrowsIllegalStateException() throws Exception {
        Arena arena = Arena.ofShared();
        TestRings.FakeView view = new TestRings.FakeView(null, TestRings.scatteredPages(arena, 6));
        RingMemory memory = RingMemory.ofView(view, 1, 5);
        RingBuffer.initialize(memory);
        RingBuffer ring = new RingBuffer(memory);
        MemorySegment buffer = MemorySegment.ofArray(new byte[4096]);
        ring.writer().write(PacketType.DATA_INBAND, 0, 1, null, PAYLOAD);
        assertNotNull(ring.reader().read(buffer));
        ring.writer().write(PacketType.DATA_INBAND, 0, 2, null, PAYLOAD);
        arena.close();
        assertThrows(IllegalStateException.class, () -> ring.reader().read(buffer));
        assertThrows(IllegalStateException.class, () -> ring.writer().write(PacketType.DATA_INBAND, 0, 3, null, PAYLOAD));
    }

    @Test
    void revocationWhileAnotherThreadStreamsEndsItWithIllegalStateException() throws Exception {
        Arena arena = Arena.ofShared();
        RingMemory memory = RingMemory.pages(TestRings.scatteredPages(arena, 17));
        RingBuffer.initialize(memory);
        RingBuffer ring = new RingBuffer(memory);
        AtomicLong packets = new AtomicLong();
        CompletableFuture<Throwable> streamer = CompletableFuture.supplyAsync(() -> {
            MemorySegment buffer = MemorySegment.ofArray(new byte[65536]);
            MemorySegment payload = MemorySegment.ofArray(new byte[3000]);
            try {
                while (true) {
                    ring.writer().write(PacketType.DATA_INBAND, 0, 0, null, payload);
                    while (ring.reader().read(buffer) != null) {
                        packets.incrementAndGet();
                    }
                    ring.reader().commit();
                }
            } catch (Throwable t) {
                return t;
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (packets.get() < 10_000 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        arena.close();
        Throwable ended = streamer.get(10, TimeUnit.SECONDS);
        assertInstanceOf(IllegalStateException.class, ended);
        assertTrue(packets.get() >= 10_000);
    }
}
