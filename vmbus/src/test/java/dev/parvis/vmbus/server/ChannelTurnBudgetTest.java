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

    /** Effects whose channel turns all run on one thread; nothing else is used by a lone channel. */
    private static final class OneThread extends RecordingEffects {
        final ExecutorService executor = Executors.newSingleThreadExecutor();

        OneThread(LoopbackGuestMemory memory) {
            super(memory);
        }

        @Override
        public java.util.concurrent.Executor channelExecutor() {
            return executor;
        }
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

    @Test
    void anAliasedRingThatFeedsItselfYieldsTheOnlyThreadToAnotherChannelEveryTurn() throws Exception {
        // A slice longer than the test: the turn yields because the bystander's turn waits, not because time ran out.
        ServerConfig config = ServerConfig.defaults(1).withLimits(ServerConfig.Limits.DEFAULTS
                .withTurn(TURN_PACKETS, 1L << 20).withTurnSlice(TimeUnit.SECONDS.toNanos(60)));
        try (LoopbackGuestMemory memory = new LoopbackGuestMemory(9); Arena arena = Arena.ofShared()) {
            OneThread effects = new OneThread(memory);
            VmbusServer server = new VmbusServer(effects, config);
            RingMemory aliased = ring(arena);
            ServerChannel hostile = channel(server, effects, config, 1, aliased, aliased);
            RingMemory bystanderIn = ring(arena);
            RingMemory bystanderOut = ring(arena);
            ServerChannel bystander = channel(server, effects, config, 2, bystanderIn, bystanderOut);

            // One guest packet into the aliased ring; from then on every echo is read back as new input.
            new RingBuffer(aliased).writer().write(PacketType.DATA_INBAND, 0, 1, null, MemorySegment.ofArray(new byte[64]));
            hostile.start(echo(hostile));
            waitFor(() -> hostile.counters().packetsIn() > 10 * TURN_PACKETS, "the aliased ring loops");

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
        ServerConfig config = ServerConfig.defaults(1).withLimits(ServerConfig.Limits.DEFAULTS
                .withTurn(TURN_PACKETS, 1L << 20).withTurnSlice(TimeUnit.SECONDS.toNanos(60)));
        try (LoopbackGuestMemory memory = new LoopbackGuestMemory(9); Arena arena = Arena.ofShared()) {
            OneThread effects = new OneThread(memory);
            java.util.concurrent.atomic.AtomicLong submitted = new java.util.concurrent.atomic.AtomicLong();
            RecordingEffects counting = new RecordingEffects(memory) {
                @Override
                public java.util.concurrent.Executor channelExecutor() {
                    return turn -> {
                        submitted.incrementAndGet();
                        effects.executor.execute(turn);
                    };
                }
            };
            VmbusServer server = new VmbusServer(counting, config);
            RingMemory aliased = ring(arena);
            ServerChannel hostile = new ServerChannel(server, counting, new GuestErrorLog(counting, "test: ", 10, 1),
                    config, 1, Guid.parse("7a0c6d1e-0000-4000-8000-000000000001"), EchoDevice.DEFAULT_INSTANCE,
                    new RingBuffer(aliased), new RingBuffer(aliased), 8 * 1024, 0);
            new RingBuffer(aliased).writer().write(PacketType.DATA_INBAND, 0, 1, null, MemorySegment.ofArray(new byte[64]));
            hostile.start(echo(hostile));
            waitFor(() -> hostile.turnCount() > 400, "the aliased ring loops through many budgets");

            long packets = hostile.counters().packetsIn(); // first: the loop goes on while we look
            long turns = hostile.turnCount();
            long handOffs = submitted.get();
            System.out.printf("aliased ring alone: %d budgets, %d turns queued on the executor%n", turns, handOffs);
            assertTrue(handOffs * 4 < turns, "budgets went on in place: %d budgets, %d hand-offs".formatted(turns, handOffs));
            assertTrue(packets <= (turns + 1) * TURN_PACKETS, "each budget still bounded: %d packets".formatted(packets));

            hostile.requestClose("test done");
            assertTrue(hostile.awaitTerminated(5, TimeUnit.SECONDS));
            effects.executor.shutdownNow();
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
