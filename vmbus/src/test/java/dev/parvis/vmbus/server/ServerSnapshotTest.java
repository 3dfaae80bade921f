package dev.parvis.vmbus.server;

import dev.parvis.abi.vmbus.ChannelMessage;
import dev.parvis.abi.vmbus.CloseChannel;
import dev.parvis.abi.vmbus.GpadlCreated;
import dev.parvis.abi.vmbus.GpadlTeardown;
import dev.parvis.abi.vmbus.GpadlTorndown;
import dev.parvis.abi.vmbus.Guid;
import dev.parvis.abi.vmbus.OfferChannel;
import dev.parvis.abi.vmbus.OpenChannel;
import dev.parvis.abi.vmbus.RelidReleased;
import dev.parvis.abi.vmbus.VmbusConstants;
import dev.parvis.abi.vmbus.VmbusVersion;
import dev.parvis.vmbus.client.ClientChannel;
import dev.parvis.vmbus.client.ClientTransport;
import dev.parvis.vmbus.client.VmbusClient;
import dev.parvis.vmbus.device.ChannelHandler;
import dev.parvis.vmbus.device.EchoDevice;
import dev.parvis.vmbus.device.VmbusChannel;
import dev.parvis.vmbus.device.VmbusDeviceClass;
import dev.parvis.vmbus.loopback.LoopbackGuestMemory;
import dev.parvis.vmbus.ring.IncomingPacket;
import dev.parvis.vmcore.GuestMemoryView;
import dev.parvis.vmcore.GuestRamWindow;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** VmbusServer.snapshot/restore: a new server takes over a live connection without the guest noticing. */
class ServerSnapshotTest {

    /** A client joined to whichever server is current; the server can be replaced under it. */
    private static final class SwappableLoopback implements ClientTransport, AutoCloseable {
        private static final byte[] STOP = new byte[0];
        final LoopbackGuestMemory memory = new LoopbackGuestMemory(3);
        final Map<Integer, Integer> relidByConnection = new ConcurrentHashMap<>();
        final BlockingQueue<byte[]> toHost = new ArrayBlockingQueue<>(256);
        final BlockingQueue<byte[]> toGuest = new ArrayBlockingQueue<>(256);
        volatile VmbusServer server;
        volatile Receiver receiver;
        final Thread host = Thread.ofPlatform().daemon().start(() -> pump(toHost, true));
        final Thread guest = Thread.ofPlatform().daemon().start(() -> pump(toGuest, false));
        final VmbusClient client = new VmbusClient(this, memory, Duration.ofSeconds(10));

        VmbusServer newServer(EchoDevice device) {
            VmbusServer s = new VmbusServer(new Effects(), ServerConfig.defaults(1));
            s.addDevice(device);
            return s;
        }

        private void pump(BlockingQueue<byte[]> queue, boolean toServer) {
            try {
                while (true) {
                    byte[] m = queue.take();
                    if (m == STOP) {
                        return;
                    }
                    if (toServer) {
                        server.onMessage(MemorySegment.ofArray(m), m.length);
                    } else {
                        receiver.onMessage(MemorySegment.ofArray(m), m.length);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void postMessage(int connectionId, MemorySegment message, int length) {
            toHost.add(message.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE));
        }

        @Override
        public void signalHost(int connectionId) {
            Integer relid = relidByConnection.get(connectionId);
            if (relid != null) {
                server.onChannelSignal(relid);
            }
        }

        @Override
        public void attach(Receiver r) {
            receiver = r;
        }

        @Override
        public void close() throws InterruptedException {
            toHost.add(STOP);
            toGuest.add(STOP);
            host.join(5000);
            guest.join(5000);
            memory.close();
        }

        private final class Effects implements ServerEffects {
            @Override
            public GuestRamWindow guestRam() {
                return memory.sharedWindow();
            }

            @Override
            public boolean sendMessage(ChannelMessage message, GuestTarget target) {
                toGuest.add(message.toBytes());
                return true;
            }

            @Override
            public void retryLater() {
                throw new AssertionError("the unbounded queue never refuses a message");
            }

            @Override
            public int createChannelSignal(int relid) {
                relidByConnection.put(VmbusConstants.CHANNEL_CONNECTION_ID_BASE | relid, relid);
                return VmbusConstants.CHANNEL_CONNECTION_ID_BASE | relid;
            }

            @Override
            public void releaseChannelSignal(int relid) {
                relidByConnection.remove(VmbusConstants.CHANNEL_CONNECTION_ID_BASE | relid, relid);
            }

            @Override
            public void signalGuest(int relid, int targetVp) {
                Receiver r = receiver;
                if (r != null) {
                    r.onChannelSignal(relid);
                }
            }

            @Override
            public GuestMemoryView openGuestPages(long[] gpns) {
                return memory.open(memory.partitionId(), gpns);
            }
        }
    }

    private static long tx = 1;

    private static void assertEchoes(ClientChannel channel, int count) throws Exception {
        MemorySegment buffer = MemorySegment.ofArray(new byte[64 * 1024]);
        for (int i = 0; i < count; i++) {
            long id = tx++;
            byte[] data = new byte[40 + (int) (id % 300)];
            for (int k = 0; k < data.length; k++) {
                data[k] = (byte) (id * 31 + k);
            }
            channel.sendInband(id, MemorySegment.ofArray(data), false);
            IncomingPacket p = channel.receive(buffer);
            assertNotNull(p, "no echo for packet " + id);
            assertEquals(id, p.transactionId());
            assertEquals(-1, MemorySegment.ofArray(data).mismatch(p.payload().asSlice(0, data.length)));
        }
    }

    /** The echo device counts a packet just after sending it: wait briefly for the last one. */
    private static void awaitCount(java.util.function.LongSupplier count, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (count.getAsLong() != expected && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertEquals(expected, count.getAsLong());
    }

    @Test
    void aNewServerRestoredFromASnapshotKeepsEchoingOnTheGuestsOpenChannel() throws Exception {
        try (SwappableLoopback loop = new SwappableLoopback()) {
            EchoDevice firstEcho = new EchoDevice();
            VmbusServer first = loop.newServer(firstEcho);
            loop.server = first;
            assertEquals(VmbusVersion.WIN10_V5_3, loop.client.connect());
            List<OfferChannel> offers = loop.client.requestOffers();
            // 3 data pages per ring: 300 packets of up to ~350 bytes wrap each ring several times,
            // before and after the restore.
            ClientChannel channel = loop.client.open(offers.getFirst(), 4, 4);
            assertEchoes(channel, 300);
            awaitCount(() -> firstEcho.counters().packetsOut(), 300);

            VmbusServerState state = first.snapshot();
            assertTrue(state.connected());
            assertEquals(VmbusVersion.WIN10_V5_3.raw(), state.version());
            assertEquals(1, state.offers().size());
            assertEquals(0x2001, state.offers().getFirst().connectionId());
            assertEquals(1, state.gpadls().size());
            VmbusServerState.ChannelEntry saved = state.offers().getFirst().channel();
            assertEquals(VmbusServerState.ChannelEntry.OPEN, saved.phase());
            assertEquals(new VmbusServerState.Open(saved.open().openId(), channel.gpadl(), 4, 0, new byte[120],
                    3 * 4096), saved.open());

            // The old server goes away (its partition was destroyed); the guest's rings stay in its memory.
            ServerChannel old = first.channel(1).orElseThrow();
            first.close();
            assertTrue(old.awaitTerminated(5, TimeUnit.SECONDS));

            EchoDevice secondEcho = new EchoDevice();
            VmbusServer second = loop.newServer(secondEcho);
            second.restore(state);
            loop.server = second;
            assertEquals(VmbusVersion.WIN10_V5_3, second.version().orElseThrow());
            assertEquals(1, second.gpadlCount());
            assertTrue(second.channel(1).isPresent());
            VmbusServerState again = second.snapshot();
            assertEquals(state.offers(), again.offers());
            assertEquals(state.gpadls(), again.gpadls());
            second.resume();

            assertEchoes(channel, 300);
            awaitCount(() -> secondEcho.counters().packetsOut(), 300);
            assertEquals(0, second.guestErrorCount());

            // The restored connection behaves like any other: the guest closes and unloads normally.
            channel.close();
            loop.client.unload();
            assertEquals(0, second.gpadlCount());
        }
    }

    /**
     * A channel the host ended (here: the guest's ring corrupt) is saved as such: after a restore the
     * guest's CLOSE_CHANNEL of it is its clean-up, as it would have been without the save, not a
     * guest error; and the guest can open it again.
     */
    @Test
    void aChannelTheHostEndedStaysEndedByTheHostAcrossARestore() throws Exception {
        try (SwappableLoopback loop = new SwappableLoopback()) {
            VmbusServer first = loop.newServer(new EchoDevice());
            loop.server = first;
            loop.client.connect();
            OfferChannel offer = loop.client.requestOffers().getFirst();
            ClientChannel channel = loop.client.open(offer, 4, 4);
            assertEchoes(channel, 10);
            // write_index past the ring's data
            channel.outboundMemory().control().set(ValueLayout.JAVA_INT_UNALIGNED, 0, (int) channel.outboundMemory().dataSize() + 8);
            channel.signalHost();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (first.channel(1).isPresent() && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertTrue(first.channel(1).isEmpty(), "the corrupt ring did not end the channel");
            long errorsBefore = first.guestErrorCount();

            VmbusServerState state = first.snapshot();
            assertTrue(state.offers().getFirst().endedByHost());
            VmbusServerState written = VmbusStateCodec.decode(VmbusStateCodec.encode(state), 1 << 20);
            assertEquals(state.offers(), written.offers());
            first.close();
            VmbusServer second = loop.newServer(new EchoDevice());
            second.restore(written);
            loop.server = second;
            second.resume();

            channel.close();
            assertEquals(0, second.guestErrorCount(), "the guest's clean-up close was counted as an error ("
                    + errorsBefore + " before the save)");
            assertEchoes(loop.client.open(offer, 4, 4), 10);
        }
    }

    /**
     * The channel's turn that ends a close must tell the server, whose monitor the snapshot holds:
     * the snapshot must not wait for that turn (it saves the channel as closing either way).
     */
    @Test
    void aSnapshotTakenWhileAChannelsCloseIsEndingDoesNotWaitForItsTurn() throws Exception {
        CountDownLatch deviceClosed = new CountDownLatch(1);
        try (ServerHarness h = new ServerHarness()) {
            h.server.addDevice(new ClosingEcho(deviceClosed));
            h.connectAndRequestOffers();
            long[] pfns = h.memory.allocate(4).gpns();
            h.gpadlHeader(1, 0x41, pfns, 0, 4 * 4096);
            h.send(new OpenChannel(1, 1, 0x41, 0, 2, null));
            ServerChannel channel = h.server.channel(1).orElseThrow();
            VmbusServerState state;
            long took;
            synchronized (h.server) { // the pump handles the guest's CLOSE_CHANNEL, then a save comes
                h.sendOnly(new CloseChannel(1));
                assertTrue(deviceClosed.await(5, TimeUnit.SECONDS)); // the turn goes on to tell the server
                long start = System.nanoTime();
                state = h.server.snapshot();
                took = System.nanoTime() - start;
            }
            assertTrue(took < TimeUnit.MILLISECONDS.toNanos(500), "the snapshot took " + took / 1_000_000 + " ms");
            assertEquals(VmbusServerState.ChannelEntry.CLOSING, state.offers().getFirst().channel().phase());
            h.server.resume();
            assertTrue(channel.awaitTerminated(5, TimeUnit.SECONDS));
            assertEquals(List.of(new GpadlTorndown(0x41)), h.send(new GpadlTeardown(1, 0x41)), "the close completed");
        }
    }

    /** An echo device that says when a channel's handler was closed. */
    private record ClosingEcho(CountDownLatch closed) implements VmbusDeviceClass {
        @Override
        public Guid interfaceType() {
            return dev.parvis.abi.vmbus.DeviceClass.ECHO;
        }

        @Override
        public Guid instance() {
            return EchoDevice.DEFAULT_INSTANCE;
        }

        @Override
        public ChannelHandler open(VmbusChannel channel) {
            ChannelHandler echo = new EchoDevice().open(channel);
            return new ChannelHandler() {
                @Override
                public void onPacket(IncomingPacket packet) {
                    echo.onPacket(packet);
                }

                @Override
                public void onClose() {
                    closed.countDown();
                }
            };
        }
    }

    /**
     * A hot-removed device is gone from the host's devices, but its rescinded offer waits for the
     * guest's RELID_RELEASED: restore keeps the offer without the device, and it is never offered again.
     */
    @Test
    void aRescindedOfferIsRestoredWithoutItsDevice() {
        Guid second = Guid.parse("7a0c6d1e-0000-4000-8000-000000000002");
        VmbusServerState state;
        try (ServerHarness h = new ServerHarness()) {
            h.server.addDevice(new EchoDevice());
            h.server.addDevice(new EchoDevice(second));
            h.connectAndRequestOffers();
            assertTrue(h.server.rescind(1));
            state = h.server.snapshot();
        }
        try (ServerHarness other = new ServerHarness()) {
            other.server.addDevice(new EchoDevice(second)); // the removed device is not the host's any more
            other.server.restore(state);
            assertEquals(List.of(1, 2), other.server.offeredRelids());
            assertEquals(List.of(), other.send(new RelidReleased(1)));
            assertEquals(List.of(2), other.server.offeredRelids());
            other.send(new dev.parvis.abi.vmbus.Unload());
            List<ChannelMessage> offers = other.connectAndRequestOffers();
            assertEquals(2, offers.size(), "one offer and ALLOFFERS_DELIVERED: " + offers);
            assertEquals(second, ((OfferChannel) offers.getFirst()).interfaceInstance());
        }
    }

    /** A GPADL belongs to the connection: its relid is only the label the guest gave it, and may be released. */
    @Test
    void aGpadlWhoseRelidWasRescindedAndReleasedIsRestoredAndCanBeTornDown() {
        VmbusServerState state;
        long[] pfns;
        try (ServerHarness h = new ServerHarness()) {
            h.server.addDevice(new EchoDevice());
            h.connectAndRequestOffers();
            pfns = h.memory.allocate(2).gpns();
            assertEquals(List.of(new GpadlCreated(1, 0x31, VmbusConstants.STATUS_SUCCESS)), h.gpadlHeader(1, 0x31, pfns, 0, 8192));
            assertTrue(h.server.rescind(1));
            h.send(new RelidReleased(1));
            assertEquals(List.of(), h.server.offeredRelids());
            state = h.server.snapshot();
        }
        try (ServerHarness other = new ServerHarness()) {
            other.memory.allocate(2); // the same GPNs in the new memory
            other.server.restore(state);
            assertEquals(1, other.server.gpadlCount());
            assertEquals(List.of(new GpadlTorndown(0x31)), other.send(new GpadlTeardown(1, 0x31)));
            assertEquals(0, other.memory.openViewCount());
        }
    }

    @Test
    void aDisconnectedServerSnapshotsAsEmptyAndRestoresToDisconnected() {
        try (ServerHarness h = new ServerHarness()) {
            VmbusServerState s = h.server.snapshot();
            assertTrue(!s.connected());
            try (ServerHarness other = new ServerHarness()) {
                other.server.restore(s);
                assertTrue(other.server.version().isEmpty());
            }
        }
    }

    @Test
    void aRestoreNamingAnUnknownDeviceFailsAndLeavesTheServerClosed() throws Exception {
        VmbusServerState state;
        try (ServerHarness h = new ServerHarness()) {
            h.server.addDevice(new EchoDevice());
            h.connectAndRequestOffers();
            state = h.server.snapshot();
        }
        try (ServerHarness other = new ServerHarness()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> other.server.restore(state));
            assertTrue(e.getMessage().contains("no device"), e.getMessage());
            assertTrue(other.server.version().isEmpty());
            assertEquals(other.effects.signalsCreated.size(), 0);
        }
    }
}
