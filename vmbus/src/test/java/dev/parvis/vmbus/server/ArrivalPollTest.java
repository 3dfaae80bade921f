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
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How long a caught-up turn looks for the guest's next packet ({@link ArrivalPoll}): until one comes
 * within the window, not at all once a window passed in vain (an idle channel pays one window), and
 * again once the guest comes back within a window of the last turn ending; never longer than the turn
 * worked since it last looked.
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

    /** Nanoseconds that move on by {@code perRead} each time the poll reads them (a poll's loop reads the clock). */
    private static final class Clock implements LongSupplier {
        long now = 1_000_000_000L;
        long perRead;

        Clock(long perRead) {
            this.perRead = perRead;
        }

        @Override
        public long getAsLong() {
            now += perRead;
            return now;
        }
    }

    @Test
    void aPacketTheGuestWritesDuringThePollEndsItWithoutWaitingOutTheWindow() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            RingBuffer ring = ring(arena);
            RingReader reader = ring.reader();
            ArrivalPoll poll = new ArrivalPoll(10_000 * MS);
            poll.turnStarted();
            Thread.sleep(2_000); // the turn worked 2 s: it may look as long
            CompletableFuture<Boolean> found = CompletableFuture.supplyAsync(() -> {
                try {
                    return poll.awaitPacket(reader, () -> false);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            Thread.sleep(20);
            guestWrites(ring);
            assertTrue(found.get(10, TimeUnit.SECONDS), "the poll saw the packet (a poll that gave up returns false)");
            assertTrue(poll.enabled(), "a poll that found a packet stays on");
        }
    }

    @Test
    void aPollThatFindsNothingGivesUpAfterItsWindowAndAnIdleChannelPollsNoMore() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            RingReader reader = ring(arena).reader();
            Clock clock = new Clock(1_000);
            ArrivalPoll poll = new ArrivalPoll(20_000, clock);
            poll.turnStarted();
            clock.now += MS; // the turn worked 1 ms: it earned a whole window
            long start = clock.now;
            assertFalse(poll.awaitPacket(reader, () -> false));
            assertTrue(clock.now - start >= 20_000, "it looked for the whole window");
            assertFalse(poll.enabled(), "a window in vain turns polling off");
            clock.now += 60_000; // the guest stays away longer than a window
            poll.turnStarted();
            assertFalse(poll.enabled(), "a guest that came back after the window does not turn it on again");
            clock.now += MS;
            long again = clock.now;
            assertFalse(poll.awaitPacket(reader, () -> false));
            assertTrue(clock.now - again <= 2_000, "with polling off the turn ends at once");
        }
    }

    @Test
    void aGuestBackWithinAWindowOfTheLastTurnTurnsPollingBackOn() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            RingReader reader = ring(arena).reader();
            Clock clock = new Clock(1_000);
            ArrivalPoll poll = new ArrivalPoll(500_000, clock);
            clock.now += MS;
            assertFalse(poll.awaitPacket(reader, () -> false));
            assertFalse(poll.enabled());
            poll.turnStarted(); // at once: a poll would have caught this turn's packet
            assertTrue(poll.enabled());
        }
    }

    /**
     * A guest that sends one small packet just inside every window: each turn works a few microseconds,
     * and its polls together last no longer than that work (plus one clock step each), not a window each.
     */
    @Test
    void aTurnPollsNoLongerThanItWorkedSinceItLastLooked() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            RingReader reader = ring(arena).reader();
            Clock clock = new Clock(100);
            ArrivalPoll poll = new ArrivalPoll(50_000, clock);
            long polled = 0;
            int turns = 100;
            for (int i = 0; i < turns; i++) {
                poll.turnStarted();
                clock.now += 3_000; // the turn handles the guest's packet
                long start = clock.now;
                assertFalse(poll.awaitPacket(reader, () -> false));
                polled += clock.now - start;
                assertTrue(poll.enabled(), "a poll cut short by what it earned is not a window in vain");
            }
            assertTrue(polled <= turns * (3_000L + 5 * clock.perRead),
                    "polled " + polled + " ns in " + turns + " turns of 3 us work each");
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
