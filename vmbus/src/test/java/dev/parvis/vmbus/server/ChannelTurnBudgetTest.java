package dev.parvis.vmbus.server;

import dev.parvis.abi.vmbus.Guid;
import dev.parvis.abi.vmbus.PacketType;
import dev.parvis.vmbus.device.ChannelHandler;
import dev.parvis.vmbus.device.EchoDevice;
import dev.parvis.vmbus.loopback.LoopbackGuestMemory;
import dev.parvis.vmbus.ring.IncomingPacket;
import dev.parvis.vmbus.ring.RingBuffer;
import dev.parvis.vmbus.ring.RingMemory;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A ring whose in and out directions are the same memory (what an aliased GPADL would build if the
 * open check let it through) makes every echo the next packet: endless work from one guest packet.
 * With every channel's turns on ONE thread, the bystander channel still gets its echo, because a
 * turn ends after its budget and the next one queues behind the other channel's. Alone, the looping
 * channel goes on with fresh budgets without queueing a new turn for each.
 */
class ChannelTurnBudgetTest {
    private static final int PAGE = 4096;
    private static final int TURN_PACKETS = 16;

    /** Effects whose channel turns all run on one thread, counted as they are queued. */
    private static final class OneThread extends RecordingEffects {
        final ExecutorService executor = Executors.newSingleThreadExecutor();
        final java.util.concurrent.atomic.AtomicLong queued = new java.util.concurrent.atomic.AtomicLong();

        OneThread(LoopbackGuestMemory memory) {
            super(memory);
        }

        @Override
        public java.util.concurrent.Executor channelExecutor() {
            return turn -> {
                queued.incrementAndGet();
                executor.execute(turn);
            };
        }
    }

    /**
     * Small turn budgets, and a slice longer than the test: a turn that yields does so because
     * another turn waits, not because its time ran out.
     */
    private static ServerConfig config() {
        return ServerConfig.defaults(1).withLimits(ServerConfig.Limits.DEFAULTS
                .withTurn(TURN_PACKETS, 1L << 20).withTurnSlice(TimeUnit.SECONDS.toNanos(60)));
    }

    private static ServerChannel channel(VmbusServer server, OneThread effects, ServerConfig config, int relid,
                                         RingMemory in, RingMemory out) {
        return new ServerChannel(server, effects, new GuestErrorLog(effects, "test: ", 10, 1), config, relid,
                Guid.parse("7a0c6d1e-0000-4000-8000-00000000000" + relid), EchoDevice.DEFAULT_INSTANCE,
                new RingBuffer(in), new RingBuffer(out), 8 * 1024, 0);
    }

    private static ChannelHandler echo(ServerChannel ch) {
        return new EchoDevice().open(ch);
    }

    private static RingMemory ring(Arena arena) {
        RingMemory m = RingMemory.flat(arena.allocate(3L * PAGE, PAGE));
        RingBuffer.initialize(m);
        return m;
    }

    /** One thread for every channel's turns, and on it a channel whose in and out rings are one ring. */
    private record Looping(OneThread effects, ServerConfig config, VmbusServer server, ServerChannel hostile) {
        /**
         * Starts the looping channel with one guest packet (from then on every echo is read back as new
         * input) and returns once it has looped through ten budgets.
         */
        static Looping start(LoopbackGuestMemory memory, Arena arena) throws Exception {
            ServerConfig config = ChannelTurnBudgetTest.config();
            OneThread effects = new OneThread(memory);
            VmbusServer server = new VmbusServer(effects, config);
            RingMemory aliased = ring(arena);
            ServerChannel hostile = channel(server, effects, config, 1, aliased, aliased);
            new RingBuffer(aliased).writer().write(PacketType.DATA_INBAND, 0, 1, null, MemorySegment.ofArray(new byte[64]));
            hostile.start(echo(hostile));
            waitFor(() -> hostile.counters().packetsIn() > 10 * TURN_PACKETS, "the aliased ring loops");
            return new Looping(effects, config, server, hostile);
        }
    }

    @Test
    void anAliasedRingThatFeedsItselfYieldsTheOnlyThreadToAnotherChannelEveryTurn() throws Exception {
        try (LoopbackGuestMemory memory = new LoopbackGuestMemory(9); Arena arena = Arena.ofShared()) {
            Looping looping = Looping.start(memory, arena);
            OneThread effects = looping.effects();
            ServerChannel hostile = looping.hostile();
            RingMemory bystanderIn = ring(arena);
            RingMemory bystanderOut = ring(arena);
            ServerChannel bystander = channel(looping.server(), effects, looping.config(), 2, bystanderIn, bystanderOut);

            bystander.start(echo(bystander));
            new RingBuffer(bystanderIn).writer().write(PacketType.DATA_INBAND, 0, 42, null,
                    MemorySegment.ofArray(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
            bystander.onGuestSignal();
            IncomingPacket echoed = awaitPacket(new RingBuffer(bystanderOut));

            long hostileTurns = hostile.turnCount();
            long hostilePackets = hostile.counters().packetsIn();
            System.out.printf("aliased ring: %d packets in %d turns; bystander echoed%n", hostilePackets, hostileTurns);
            assertNotNull(echoed, "the bystander's echo came back while the aliased ring looped on the one thread");
            assertEquals(42, echoed.transactionId());
            assertTrue(hostilePackets <= (hostileTurns + 1) * TURN_PACKETS,
                    "no turn handled more than its budget: %d packets, %d turns".formatted(hostilePackets, hostileTurns));

            hostile.requestClose("test done");
            assertTrue(hostile.awaitTerminated(5, TimeUnit.SECONDS), "the looping channel closes on request");
            bystander.requestClose("test done");
            assertTrue(bystander.awaitTerminated(5, TimeUnit.SECONDS));
            effects.executor.shutdownNow();
        }
    }

    @Test
    void aLoopingChannelThatNoOtherTurnWaitsBehindKeepsItsThreadAcrossBudgets() throws Exception {
        try (LoopbackGuestMemory memory = new LoopbackGuestMemory(9); Arena arena = Arena.ofShared()) {
            Looping looping = Looping.start(memory, arena);
            ServerChannel hostile = looping.hostile();
            waitFor(() -> hostile.turnCount() > 400, "the aliased ring loops through many budgets");

            long packets = hostile.counters().packetsIn(); // first: the loop goes on while we look
            long turns = hostile.turnCount();
            long handOffs = looping.effects().queued.get();
            System.out.printf("aliased ring alone: %d budgets, %d turns queued on the executor%n", turns, handOffs);
            assertTrue(handOffs * 4 < turns, "budgets went on in place: %d budgets, %d hand-offs".formatted(turns, handOffs));
            assertTrue(packets <= (turns + 1) * TURN_PACKETS, "each budget still bounded: %d packets".formatted(packets));

            hostile.requestClose("test done");
            assertTrue(hostile.awaitTerminated(5, TimeUnit.SECONDS));
            looping.effects().executor.shutdownNow();
        }
    }

    private static IncomingPacket awaitPacket(RingBuffer ring) throws Exception {
        MemorySegment buffer = MemorySegment.ofArray(new byte[4096]);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            IncomingPacket p = ring.reader().read(buffer);
            if (p != null) {
                return p;
            }
            Thread.sleep(1);
        }
        return null;
    }

    private static void waitFor(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out: " + what);
            Thread.sleep(1);
        }
    }
}
