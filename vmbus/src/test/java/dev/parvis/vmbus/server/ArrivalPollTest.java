package dev.parvis.vmbus.server;

import dev.parvis.abi.vmbus.PacketType;
import dev.parvis.vmbus.ring.RingBuffer;
import dev.parvis.vmbus.ring.RingMemory;
import dev.parvis.vmbus.ring.RingReader;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How long a caught-up turn looks for the guest's next packet ({@link ArrivalPoll}): until one comes
 * within the window, not at all once a window passed in vain (an idle channel pays one window), and
 * again once the guest comes back within a window of the last turn ending.
 */
class ArrivalPollTest {
    private static final int PAGE = 4096;
    private static final long MS = 1_000_000;

    private static RingBuffer ring(Arena arena) {
        RingMemory m = RingMemory.flat(arena.allocate(3L * PAGE, PAGE));
        RingBuffer.initialize(m);
        return new RingBuffer(m);
    }

    private static void guestWrites(RingBuffer ring) throws Exception {
        ring.writer().write(PacketType.DATA_INBAND, 0, 1, null, MemorySegment.ofArray(new byte[16]));
    }

    @Test
    void aPacketTheGuestWritesDuringThePollEndsItWithoutWaitingOutTheWindow() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            RingBuffer ring = ring(arena);
            RingReader reader = ring.reader();
            ArrivalPoll poll = new ArrivalPoll(10_000 * MS);
            long start = System.nanoTime();
            CompletableFuture<Boolean> found = CompletableFuture.supplyAsync(() -> {
                try {
                    return poll.awaitPacket(reader, () -> false);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            Thread.sleep(20);
            guestWrites(ring);
            assertTrue(found.get(10, TimeUnit.SECONDS), "the poll saw the packet");
            assertTrue(System.nanoTime() - start < 5_000 * MS, "it returned when the packet came, not at the window's end");
            assertTrue(poll.enabled(), "a poll that found a packet stays on");
        }
    }

    @Test
    void aPollThatFindsNothingGivesUpAfterItsWindowAndAnIdleChannelPollsNoMore() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            RingReader reader = ring(arena).reader();
            ArrivalPoll poll = new ArrivalPoll(20 * MS);
            long start = System.nanoTime();
            assertFalse(poll.awaitPacket(reader, () -> false));
            assertTrue(System.nanoTime() - start >= 20 * MS, "it looked for the whole window");
            assertFalse(poll.enabled(), "a window in vain turns polling off");
            Thread.sleep(60); // the guest stays away longer than a window
            poll.turnStarted();
            assertFalse(poll.enabled(), "a guest that came back after the window does not turn it on again");
            long again = System.nanoTime();
            assertFalse(poll.awaitPacket(reader, () -> false));
            assertTrue(System.nanoTime() - again < 20 * MS, "with polling off the turn ends at once");
        }
    }

    @Test
    void aGuestBackWithinAWindowOfTheLastTurnTurnsPollingBackOn() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            RingReader reader = ring(arena).reader();
            ArrivalPoll poll = new ArrivalPoll(500 * MS);
            assertFalse(poll.awaitPacket(reader, () -> false));
            assertFalse(poll.enabled());
            poll.turnStarted(); // at once: a poll would have caught this turn's packet
            assertTrue(poll.enabled());
        }
    }

    @Test
    void aStoppingChannelOrAZeroWindowDoesNotPoll() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            RingReader reader = ring(arena).reader();
            long start = System.nanoTime();
            assertFalse(new ArrivalPoll(10_000 * MS).awaitPacket(reader, () -> true));
            ArrivalPoll never = new ArrivalPoll(0);
            assertFalse(never.awaitPacket(reader, () -> false));
            never.turnStarted();
            assertFalse(never.enabled());
            assertTrue(System.nanoTime() - start < 5_000 * MS, "neither waited for its window");
        }
    }
}
