package dev.parvis.vmbus.loopback;

import dev.parvis.abi.vmbus.Guid;
import dev.parvis.abi.vmbus.OfferChannel;
import dev.parvis.vmbus.client.ClientChannel;
import dev.parvis.vmbus.client.VmbusClient;
import dev.parvis.vmbus.device.EchoDevice;
import dev.parvis.vmbus.ring.IncomingPacket;
import dev.parvis.vmbus.server.ServerConfig;
import dev.parvis.vmbus.server.VmbusServer;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A loopback with two echo devices (relids 1 and 2), connected at 5.3 with offers collected. */
final class EchoFixture implements AutoCloseable {
    static final Guid FIRST = Guid.parse("7a0c6d1e-0000-4000-8000-000000000001");
    static final Guid SECOND = Guid.parse("7a0c6d1e-0000-4000-8000-000000000002");

    final LoopbackGuestMemory memory = new LoopbackGuestMemory(3);
    final EchoDevice first = new EchoDevice(FIRST);
    final EchoDevice second = new EchoDevice(SECOND);
    final Loopback loopback;
    final VmbusClient client;
    final VmbusServer server;
    final List<OfferChannel> offers;
    private long nextTransaction = 1_000_000;

    EchoFixture() throws Exception {
        this(ServerConfig.defaults(1));
    }

    EchoFixture(ServerConfig config) throws Exception {
        loopback = new Loopback(memory, config, List.of(first, second), Duration.ofSeconds(10));
        client = loopback.client();
        server = loopback.server();
        client.connect();
        offers = client.requestOffers();
        assertEquals(2, offers.size());
    }

    ClientChannel open(int index) throws Exception {
        return client.open(offers.get(index), 9, 9);
    }

    /** One echo round trip on {@code channel}, checked byte for byte. */
    void assertEchoes(ClientChannel channel) throws Exception {
        long tx = nextTransaction++;
        byte[] data = new byte[100];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (tx + i);
        }
        channel.sendInband(tx, MemorySegment.ofArray(data), false);
        MemorySegment buffer = MemorySegment.ofArray(new byte[64 * 1024]);
        IncomingPacket p = channel.receive(buffer);
        assertNotNull(p, "no echo");
        assertEquals(tx, p.transactionId());
        assertEquals(104, p.payload().byteSize());
        assertEquals(-1, MemorySegment.ofArray(data).mismatch(p.payload().asSlice(0, 100)));
    }

    static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(2);
        }
    }

    boolean logged(String fragment) {
        return loopback.logLines().stream().anyMatch(l -> l.contains(fragment));
    }

    @Override
    public void close() throws Exception {
        assertTrue(memory.guardsIntact(), "a guard page around guest memory changed");
        loopback.close();
        memory.close();
    }
}
