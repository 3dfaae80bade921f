package dev.parvis.vmbus.server;

import dev.parvis.abi.vmbus.Guid;
import dev.parvis.abi.vmbus.PacketType;
import dev.parvis.vmbus.device.ChannelHandler;
import dev.parvis.vmbus.device.EchoDevice;
import dev.parvis.vmbus.device.SendResult;
import dev.parvis.vmbus.loopback.LoopbackGuestMemory;
import dev.parvis.vmbus.ring.IncomingPacket;
import dev.parvis.vmbus.ring.RingBuffer;
import dev.parvis.vmbus.ring.RingCorruptException;
import dev.parvis.vmbus.ring.RingMemory;
import dev.parvis.vmbus.ring.RingReader;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * When the host signals the guest about its answers: a turn owes the guest one signal for all the
 * packets it wrote and sends it as the turn ends, or once it has written a batch of answers; a send
 * from any other thread signals at once; a
 * turn that has to wait for ring space signals before it waits. Which write owes a signal is the
 * ring's rule (RingFlowControlTest); these tests pin only when it is sent.
 */
class TurnSignalTest {
    private static final int PAGE = 4096;
    private static final int REQUESTS = 8;
    /** One of {@link #guestSends}'s packets in the ring: descriptor, 16 bytes of payload, trailer. */
    private static final int REQUEST_BYTES = (int) dev.parvis.vmbus.ring.RingWriter.packetSize(0, 16);

    /** The channel under test, its two rings, and the guest's reader of the host-to-guest ring. */
    private record Fixture(RecordingEffects effects, ServerChannel channel, RingBuffer in, RingBuffer out) {
        int signals() {
            return effects.guestSignals.size();
        }

        /** The guest reads and consumes everything the host wrote so far; returns how many packets. */
        int guestReads() {
            RingReader reader = out.reader();
            MemorySegment buffer = MemorySegment.ofArray(new byte[PAGE]);
            int n = 0;
            try {
                while (reader.read(buffer) != null) {
                    n++;
                }
            } catch (RingCorruptException e) {
                throw new AssertionError("the host wrote a corrupt ring", e);
            }
            reader.commit();
            return n;
        }
    }

    private static Fixture fixture(Arena arena, int outPages) {
        return fixture(arena, outPages, ServerConfig.Limits.DEFAULTS);
    }

    private static Fixture fixture(Arena arena, int outPages, ServerConfig.Limits limits) {
        ServerConfig config = ServerConfig.defaults(1).withSendTimeout(Duration.ofSeconds(10)).withLimits(limits);
        RecordingEffects effects = new RecordingEffects(null) {
            @Override
            public java.util.concurrent.Executor channelExecutor() {
                return ChannelTurns.VIRTUAL;
            }
        };
        VmbusServer server = new VmbusServer(effects, config);
        RingBuffer in = ring(arena, 2);
        RingBuffer out = ring(arena, outPages);
        ServerChannel channel = new ServerChannel(server, effects, new GuestErrorLog(effects, "test: ", 10, 1), config, 1,
                Guid.parse("7a0c6d1e-0000-4000-8000-000000000001"), EchoDevice.DEFAULT_INSTANCE, in, out, 8 * 1024, 0);
        return new Fixture(effects, channel, in, out);
    }

    private static RingBuffer ring(Arena arena, int dataPages) {
        RingMemory m = RingMemory.flat(arena.allocate((1L + dataPages) * PAGE, PAGE));
        RingBuffer.initialize(m);
        return new RingBuffer(m);
    }

    private static void guestSends(Fixture f, int packets) throws RingCorruptException {
        for (int i = 0; i < packets; i++) {
            f.in().writer().write(PacketType.DATA_INBAND, 0, i + 1, null, MemorySegment.ofArray(new byte[16]));
        }
    }

    @Test
    void aTurnAnsweringABurstSignalsTheGuestOnceAfterItsLastAnswer() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            List<Integer> signalsSeenInTurn = new CopyOnWriteArrayList<>();
            List<Integer> guestRead = new CopyOnWriteArrayList<>();
            Fixture f = fixture(arena, 4);
            guestSends(f, REQUESTS);
            f.channel().start(new Answering(f.channel(), () -> {
                // A guest that keeps up: each answer finds the ring empty again, so each one owes a signal.
                signalsSeenInTurn.add(f.signals());
                guestRead.add(f.guestReads());
            }));
            waitFor(() -> guestRead.size() == REQUESTS && f.signals() > 0, "every answer, and a signal");
            assertEquals(List.of(1, 1, 1, 1, 1, 1, 1, 1), guestRead, "the guest consumed each answer before the next");
            assertEquals(List.of(0, 0, 0, 0, 0, 0, 0, 0), signalsSeenInTurn, "no signal while the turn ran");
            close(f);
            assertEquals(1, f.signals(), "one signal for the whole burst, once no turn runs any more");
        }
    }

    @Test
    void aTurnAnsweringALongBurstSignalsTheGuestOnceItHasWrittenABatchOfAnswersNotOnlyAtItsEnd() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            List<Integer> signalsSeenInTurn = new CopyOnWriteArrayList<>();
            Fixture f = fixture(arena, 4, ServerConfig.Limits.DEFAULTS.withSignalBatch(4));
            guestSends(f, 10);
            // A guest that reads nothing yet: only the first answer finds the ring empty and owes a signal.
            f.channel().start(new Answering(f.channel(), () -> signalsSeenInTurn.add(f.signals())));
            waitFor(() -> signalsSeenInTurn.size() == 10, "every answer");
            assertEquals(List.of(0, 0, 0, 1, 1, 1, 1, 1, 1, 1), signalsSeenInTurn,
                    "the signal went out with the fourth answer, while the turn still had six to write");
            close(f);
            assertEquals(1, f.signals(), "and no other: the later answers found the ring not empty");
            assertEquals(10, f.guestReads());
        }
    }

    @Test
    void aSendFromAnotherThreadSignalsTheGuestBeforeItReturns() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            Fixture f = fixture(arena, 4);
            f.channel().start(new Answering(f.channel(), () -> { }));
            assertEquals(SendResult.SENT, f.channel().sendInband(7, MemorySegment.ofArray(new byte[16]), false));
            assertEquals(1, f.signals(), "the write into the empty ring signalled at once");
            assertEquals(1, f.guestReads());
            close(f);
        }
    }

    @Test
    void aTurnThatMustWaitForSpaceSignalsTheGuestFirst() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            Fixture f = fixture(arena, 1); // one page: the completion and two packets of 1,500 bytes fill it
            List<SendResult> results = new CopyOnWriteArrayList<>();
            guestSends(f, 1);
            f.channel().start(new Answering(f.channel(), () -> {
                for (int i = 1; i < 4; i++) {
                    results.add(f.channel().sendInband(i, MemorySegment.ofArray(new byte[1500]), false));
                }
            }));
            // The guest reads only when signalled; without the signal before the wait, the last send times out.
            waitFor(() -> f.signals() > 0, "a signal while the turn waits for space");
            int read = f.guestReads();
            f.channel().onGuestSignal(); // space freed: the waiting send goes on
            waitFor(() -> results.size() == 3, "the send that waited");
            assertEquals(List.of(SendResult.SENT, SendResult.SENT, SendResult.SENT), results);
            assertTrue(read >= 2, "the guest found the answers written before the wait: " + read);
            close(f);
        }
    }

    @Test
    void aRequestTheGuestWritesWithoutSignallingWhileTheCaughtUpTurnPollsIsAnsweredByThatTurn() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            Fixture f = fixture(arena, 4, ServerConfig.Limits.DEFAULTS.withTurnPoll(TimeUnit.SECONDS.toNanos(10)));
            List<Integer> guestRead = new CopyOnWriteArrayList<>();
            guestSends(f, 1);
            AtomicInteger answered = new AtomicInteger();
            // The first request keeps the turn busy for 2 s: a turn polls no longer than it worked.
            f.channel().start(new Answering(f.channel(), () -> {
                if (answered.getAndIncrement() == 0) {
                    sleep(2_000);
                }
            }));
            waitFor(() -> f.signals() == 1, "the first answer's signal");
            guestRead.add(f.guestReads());
            long turns = f.channel().turnCount();
            // The turn is looking (interrupt_mask set), so a guest following the ring rules does not signal.
            guestSends(f, 1);
            waitFor(() -> f.signals() == 2, "the second answer's signal, with no guest signal");
            guestRead.add(f.guestReads());
            assertEquals(List.of(1, 1), guestRead);
            assertEquals(turns, f.channel().turnCount(), "the turn that answered the first request answered the second");
            close(f);
        }
    }

    @Test
    void aTurnWhoseRequestsAreAnsweredFromAnotherThreadEndsWithoutPollingForTheNext() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            Fixture f = fixture(arena, 4, ServerConfig.Limits.DEFAULTS.withTurnPoll(TimeUnit.SECONDS.toNanos(10)));
            java.util.concurrent.ExecutorService device = java.util.concurrent.Executors.newSingleThreadExecutor();
            guestSends(f, 1);
            // As storvsp hands a large read to its disk threads: the answer comes later, from elsewhere.
            f.channel().start(new ChannelHandler() {
                @Override
                public void onPacket(IncomingPacket packet) {
                    long tx = packet.transactionId();
                    device.execute(() -> f.channel().sendCompletion(tx, MemorySegment.ofArray(new byte[8])));
                }

                @Override
                public void onClose() {
                }
            });
            waitFor(() -> f.guestReads() == 1, "the answer from the device's thread");
            // A turn that polled would keep interrupt_mask set for its whole 10 s window.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (f.in().memory().control().get(java.lang.foreign.ValueLayout.JAVA_INT,
                    dev.parvis.abi.vmbus.RingControl.INTERRUPT_MASK_OFFSET) != 0) {
                assertTrue(System.nanoTime() < deadline, "the turn still looks for packets (interrupt_mask set)");
                Thread.sleep(1);
            }
            close(f);
            device.shutdownNow();
        }
    }

    @Test
    void aTurnPublishesReadIndexOnceForABurstNotAfterEachPacket() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            Fixture f = fixture(arena, 4);
            List<Integer> readIndexSeenInTurn = new CopyOnWriteArrayList<>();
            guestSends(f, REQUESTS);
            f.channel().start(new Answering(f.channel(), () -> readIndexSeenInTurn.add(readIndex(f.in()))));
            waitFor(() -> readIndexSeenInTurn.size() == REQUESTS, "every request handled");
            close(f);
            // Linux's hv_pkt_iter_close: the room of a batch goes back at once, as the turn catches up.
            assertEquals(List.of(0, 0, 0, 0, 0, 0, 0, 0), readIndexSeenInTurn, "read_index moved during the burst");
            assertEquals(REQUESTS * REQUEST_BYTES, readIndex(f.in()), "the whole burst's room once the turn caught up");
        }
    }

    @Test
    void aTurnWhoseDeviceWaitsForOutboundSpaceFirstGivesBackTheRoomOfThePacketsBefore() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            Fixture f = fixture(arena, 1); // one page out: two answers of 1,500 bytes fill it
            List<SendResult> results = new CopyOnWriteArrayList<>();
            guestSends(f, 3);
            f.channel().start(new ChannelHandler() {
                @Override
                public void onPacket(IncomingPacket packet) {
                    int answers = packet.transactionId() == 2 ? 3 : 1;
                    for (int i = 0; i < answers; i++) {
                        results.add(f.channel().sendInband(i, MemorySegment.ofArray(new byte[1500]), false));
                    }
                }

                @Override
                public void onClose() {
                }
            });
            // The third answer to request 2 waits for the guest; a guest that must write before it reads
            // (a one-thread storvsc) needs the room of request 1 meanwhile, not that of request 2 (not done).
            waitFor(() -> readIndex(f.in()) == REQUEST_BYTES, "request 1's room given back while the turn waits");
            assertEquals(2, results.size(), "the turn is still waiting in request 2");
            waitFor(() -> {
                f.guestReads();
                f.channel().onGuestSignal(); // space freed: a waiting send goes on
                return results.size() == 5;
            }, "every answer");
            close(f);
            assertEquals(List.of(SendResult.SENT, SendResult.SENT, SendResult.SENT, SendResult.SENT, SendResult.SENT), results);
            assertEquals(3 * REQUEST_BYTES, readIndex(f.in()));
        }
    }

    private static int readIndex(RingBuffer ring) {
        return ring.memory().control().get(java.lang.foreign.ValueLayout.JAVA_INT,
                dev.parvis.abi.vmbus.RingControl.READ_INDEX_OFFSET);
    }

    /** Answers each packet with a completion, then runs {@code afterAnswer} (still in the turn). */
    private record Answering(ServerChannel channel, Runnable afterAnswer) implements ChannelHandler {
        @Override
        public void onPacket(IncomingPacket packet) {
            assertEquals(SendResult.SENT, channel.sendCompletion(packet.transactionId(), MemorySegment.ofArray(new byte[8])));
            afterAnswer.run();
        }

        @Override
        public void onClose() {
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void close(Fixture f) throws InterruptedException {
        f.channel().requestClose("test done");
        assertTrue(f.channel().awaitTerminated(5, TimeUnit.SECONDS));
    }

    private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out: " + what);
            Thread.sleep(1);
        }
    }
}
