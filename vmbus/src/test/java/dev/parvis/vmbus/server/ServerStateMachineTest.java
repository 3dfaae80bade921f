package dev.parvis.vmbus.server;

import dev.parvis.abi.vmbus.ChannelMessage;
import dev.parvis.abi.vmbus.CloseChannel;
import dev.parvis.abi.vmbus.GpadlCreated;
import dev.parvis.abi.vmbus.GpadlTeardown;
import dev.parvis.abi.vmbus.GpadlTorndown;
import dev.parvis.abi.vmbus.Guid;
import dev.parvis.abi.vmbus.InitiateContact;
import dev.parvis.abi.vmbus.ModifyChannel;
import dev.parvis.abi.vmbus.ModifyChannelResponse;
import dev.parvis.abi.vmbus.OpenChannel;
import dev.parvis.abi.vmbus.OpenChannelResult;
import dev.parvis.abi.vmbus.RequestOffers;
import dev.parvis.abi.vmbus.VersionResponse;
import dev.parvis.abi.vmbus.VmbusConstants;
import dev.parvis.abi.vmbus.VmbusVersion;
import dev.parvis.vmbus.device.ChannelHandler;
import dev.parvis.vmbus.device.EchoDevice;
import dev.parvis.vmbus.device.VmbusChannel;
import dev.parvis.vmbus.device.VmbusDeviceClass;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server's explicit in-progress states (OpenVMM's channels.rs model): grants and opens are
 * requests that complete later, and the guest is answered only when they do; what the guest does
 * meanwhile (tear down, close, reopen) is settled by the completion. Requests here run only when
 * the test says so ({@link RecordingEffects#runRequests}).
 */
class ServerStateMachineTest {
    private static final int RING_PAGES = 4;
    private static final int HANDLE = 0x51;

    /** An echo device that counts its opens, or refuses every open. */
    private static final class CountingEcho implements VmbusDeviceClass {
        final AtomicInteger opens = new AtomicInteger();
        private final EchoDevice echo = new EchoDevice();
        private final boolean refuse;

        CountingEcho() {
            this(false);
        }

        CountingEcho(boolean refuse) {
            this.refuse = refuse;
        }

        @Override
        public Guid interfaceType() {
            return echo.interfaceType();
        }

        @Override
        public Guid instance() {
            return echo.instance();
        }

        @Override
        public ChannelHandler open(VmbusChannel channel) {
            opens.incrementAndGet();
            if (refuse) {
                throw new IllegalStateException("the device cannot open now");
            }
            return echo.open(channel);
        }
    }

    private static ServerHarness connected(int vps, CountingEcho device) {
        ServerHarness h = new ServerHarness(ServerConfig.defaults(vps));
        h.server.addDevice(device);
        h.connectAndRequestOffers();
        return h;
    }

    private static void createRingGpadl(ServerHarness h) {
        long[] pfns = h.memory.allocate(RING_PAGES).gpns();
        List<ChannelMessage> answer = h.gpadlHeader(1, HANDLE, pfns, 0, RING_PAGES * 4096);
        assertEquals(List.of(new GpadlCreated(1, HANDLE, VmbusConstants.STATUS_SUCCESS)), answer);
    }

    private static OpenChannel open(int targetVp) {
        return new OpenChannel(1, 7, HANDLE, targetVp, 2, null);
    }

    @Test
    void gpadlCreatedIsSentOnlyWhenTheGrantCompletes() {
        try (ServerHarness h = connected(1, new CountingEcho())) {
            long[] pfns = h.memory.allocate(2).gpns();
            assertEquals(List.of(), h.gpadlHeaderOnly(1, HANDLE, pfns, 0, 2 * 4096), "no answer while the grant runs");
            assertEquals(1, h.effects.runRequests());
            assertEquals(List.of(new GpadlCreated(1, HANDLE, VmbusConstants.STATUS_SUCCESS)), h.effects.take());
        }
    }

    @Test
    void openChannelResultIsSentOnlyWhenTheDeviceHasOpenedOffTheControlPath() {
        CountingEcho echo = new CountingEcho();
        try (ServerHarness h = connected(1, echo)) {
            createRingGpadl(h);
            assertEquals(List.of(), h.sendOnly(open(0)), "Opening: no result yet");
            assertEquals(0, echo.opens.get(), "the device was not opened on the caller's thread");
            assertTrue(h.server.channel(1).isEmpty());
            h.effects.runRequests();
            assertEquals(List.of(new OpenChannelResult(1, 7, VmbusConstants.STATUS_SUCCESS)), h.effects.take());
            assertEquals(1, echo.opens.get());
            assertTrue(h.server.channel(1).isPresent());
        }
    }

    @Test
    void aTeardownWhileTheGrantRunsIsAnsweredWithTorndownAlone() {
        try (ServerHarness h = connected(1, new CountingEcho())) {
            h.gpadlHeaderOnly(1, HANDLE, h.memory.allocate(2).gpns(), 0, 2 * 4096);
            assertEquals(List.of(), h.sendOnly(new GpadlTeardown(1, HANDLE)));
            h.effects.runRequests();
            assertEquals(List.of(new GpadlTorndown(HANDLE)), h.effects.take());
            assertEquals(0, h.server.gpadlCount());
        }
    }

    @Test
    void aCloseWhileOpeningIsSettledByTheCompletionWithoutAResult() {
        CountingEcho echo = new CountingEcho();
        try (ServerHarness h = connected(1, echo)) {
            createRingGpadl(h);
            h.sendOnly(open(0));
            h.sendOnly(new CloseChannel(1));
            h.effects.runRequests();
            assertEquals(List.of(), h.effects.take(), "the guest closed it: no OPENCHANNEL_RESULT");
            assertTrue(h.server.channel(1).isEmpty());
            assertEquals(List.of(new GpadlTorndown(HANDLE)), h.send(new GpadlTeardown(1, HANDLE)), "the ring GPADL is free");
        }
    }

    @Test
    void anOpenWhileClosingStartsWhenTheCloseCompletes() throws Exception {
        try (ServerHarness h = connected(1, new CountingEcho())) {
            createRingGpadl(h);
            h.send(open(0));
            ServerChannel first = h.server.channel(1).orElseThrow();
            h.sendOnly(new CloseChannel(1));
            h.sendOnly(new OpenChannel(1, 8, HANDLE, 0, 2, null));
            assertTrue(first.awaitTerminated(5, java.util.concurrent.TimeUnit.SECONDS));
            h.effects.runRequests();
            assertEquals(List.of(new OpenChannelResult(1, 8, VmbusConstants.STATUS_SUCCESS)), h.effects.take());
            assertTrue(h.server.channel(1).isPresent() && h.server.channel(1).get() != first);
        }
    }

    /**
     * The device refuses the open while the guest's queue is full of answers: the failed result
     * overflows it and fails the connection, from inside the open's completion. The ring GPADL's
     * view, which the failure handed to that completion, must still be released.
     */
    @Test
    void anOpenWhoseFailedResultFailsTheConnectionLeavesNoViewOpen() {
        try (ServerHarness h = new ServerHarness(ServerConfig.defaults(1)
                .withLimits(ServerConfig.Limits.DEFAULTS.withQueues(1, 16)))) {
            h.server.addDevice(new CountingEcho(true));
            h.connectAndRequestOffers();
            createRingGpadl(h);
            h.sendOnly(open(0));
            h.effects.queueFull = true;
            h.sendOnly(new ModifyChannel(1, 0)); // its answer fills the guest's queue
            h.effects.runRequests();
            assertTrue(h.server.failure().orElse("").contains("undelivered"), "failure: " + h.server.failure());
            h.effects.runRequests();
            assertEquals(0, h.memory.openViewCount(), "the ring GPADL's view is released");
        }
    }

    /**
     * A rescinded and released relid is forgotten when its cancelled open completes; that completion
     * tears down the ring GPADL the guest had torn down, whose GPADL_TORNDOWN overflows the guest's
     * queue and fails the connection, which releases every signal path. The relid's is released once.
     */
    @Test
    void aReleasedRelidWhoseCloseFailsTheConnectionHasItsSignalPathReleasedOnce() {
        try (ServerHarness h = new ServerHarness(ServerConfig.defaults(1)
                .withLimits(ServerConfig.Limits.DEFAULTS.withQueues(1, 16)))) {
            h.server.addDevice(new CountingEcho());
            h.connectAndRequestOffers();
            createRingGpadl(h);
            h.sendOnly(open(0));
            h.sendOnly(new GpadlTeardown(1, HANDLE)); // waits for the channel
            assertTrue(h.server.rescind(1));
            h.sendOnly(new dev.parvis.abi.vmbus.RelidReleased(1));
            h.effects.queueFull = true;
            h.sendOnly(new ModifyChannel(1, 0)); // its answer fills the guest's queue
            h.effects.runRequests();
            assertTrue(h.server.failure().orElse("").contains("undelivered"), "failure: " + h.server.failure());
            assertEquals(List.of(1), h.effects.signalsReleased);
        }
    }

    /**
     * An OPEN_CHANNEL while the channel closes waits for the close, but one that no GPADL could ever
     * satisfy (a VP the child does not have, a ring offset past any GPADL) is refused at once: the
     * saved state holds only a reopen that may open, in the bounds its format has.
     */
    @Test
    void aReopenWhileClosingThatCanNeverOpenIsRefusedAtOnceAndNotSaved() {
        try (ServerHarness h = connected(1, new CountingEcho())) {
            createRingGpadl(h);
            h.send(open(0));
            List<ChannelMessage> vp;
            List<ChannelMessage> offset;
            VmbusServerState state;
            synchronized (h.server) { // the close cannot complete meanwhile
                h.sendOnly(new CloseChannel(1));
                vp = h.sendOnly(new OpenChannel(1, 8, HANDLE, 64, 2, null));
                offset = h.sendOnly(new OpenChannel(1, 9, HANDLE, 0, 9000, null));
                state = h.server.snapshot();
            }
            h.server.resume();
            assertEquals(List.of(new OpenChannelResult(1, 8, VmbusConstants.STATUS_UNSUCCESSFUL)), vp);
            assertEquals(List.of(new OpenChannelResult(1, 9, VmbusConstants.STATUS_UNSUCCESSFUL)), offset);
            assertNull(state.offers().getFirst().channel().reopen());
            assertEquals(state.offers(), VmbusStateCodec.decode(VmbusStateCodec.encode(state), 1 << 20).offers());
        }
    }

    @Test
    void modifyChannelMovesTheChannelsSignalsToTheNewVp() throws Exception {
        try (ServerHarness h = connected(2, new CountingEcho())) {
            createRingGpadl(h);
            h.send(open(0));
            assertEquals(List.of(new ModifyChannelResponse(1, VmbusConstants.STATUS_SUCCESS)),
                    h.send(new ModifyChannel(1, 1)));
            ServerChannel channel = h.server.channel(1).orElseThrow();
            channel.sendInband(1, java.lang.foreign.MemorySegment.ofArray(new byte[8]), false);
            int[] last = h.effects.guestSignals.getLast();
            assertEquals(1, last[1], "signalled on VP 1");
            assertEquals(List.of(new ModifyChannelResponse(1, VmbusConstants.STATUS_UNSUCCESSFUL)),
                    h.send(new ModifyChannel(1, 2)), "a VP the child does not have is refused");
        }
    }

    @Test
    void initiateContactsTargetVpIsWhereMessagesGoAndAMissingVpIsRefused() {
        try (ServerHarness h = new ServerHarness(ServerConfig.defaults(2))) {
            long page = InitiateContact.interruptPageForSint(2, 0);
            assertInstanceOf(VersionResponse.class, h.send(new InitiateContact(VmbusVersion.WIN10_V5_3, 5, page, 0, 0)).getFirst());
            assertTrue(h.server.version().isEmpty(), "VP 5 of a 2-VP child: refused");
            h.send(new InitiateContact(VmbusVersion.WIN10_V5_3, 1, page, 0, 0));
            h.effects.takeSent();
            byte[] request = new RequestOffers().toBytes();
            h.server.onMessage(java.lang.foreign.MemorySegment.ofArray(request), request.length);
            List<RecordingEffects.Sent> sent = h.effects.takeSent();
            assertTrue(!sent.isEmpty() && sent.stream().allMatch(x -> x.target().vp() == 1), "every message to VP 1");
        }
    }
}
