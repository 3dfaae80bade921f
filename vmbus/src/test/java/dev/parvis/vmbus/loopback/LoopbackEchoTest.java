package dev.parvis.vmbus.loopback;

import dev.parvis.abi.vmbus.VmbusVersion;
import dev.parvis.vmbus.client.ClientChannel;
import dev.parvis.vmbus.device.EchoDevice;
import dev.parvis.vmbus.ring.IncomingPacket;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoopbackEchoTest {
    private static final int PACKETS = 10_000;
    private static final int MAX_SIZE = 65_536;

    @Test
    void tenThousandPacketsOfOneTo65536BytesComeBackIdenticalAcrossRingWrapAround() throws Exception {
        try (EchoFixture f = new EchoFixture()) {
            assertEquals(VmbusVersion.WIN10_V5_3, f.client.version().orElseThrow());
            // 64 data pages per ring: 256 KiB, so 64 KiB packets wrap constantly.
            ClientChannel channel = f.client.open(f.offers.getFirst(), 65, 65);
            Random random = new Random(42);
            int[] sizes = new int[PACKETS];
            int[] offsets = new int[PACKETS];
            for (int i = 0; i < PACKETS; i++) {
                sizes[i] = i == 0 ? 1 : i == 1 ? MAX_SIZE : 1 + random.nextInt(MAX_SIZE);
                offsets[i] = random.nextInt(MAX_SIZE);
            }
            byte[] source = new byte[2 * MAX_SIZE];
            random.nextBytes(source);
            MemorySegment src = MemorySegment.ofArray(source);

            AtomicReference<Throwable> failure = new AtomicReference<>();
            long[] received = new long[2];
            Thread receiver = Thread.ofPlatform().start(() -> {
                try {
                    MemorySegment buffer = MemorySegment.ofArray(new byte[128 * 1024]);
                    for (int i = 0; i < PACKETS; i++) {
                        IncomingPacket p = channel.receive(buffer);
                        if (p == null) {
                            throw new AssertionError("echo " + i + " did not come");
                        }
                        assertEquals(i, p.transactionId());
                        long padded = (sizes[i] + 7) & ~7L;
                        assertEquals(padded, p.payload().byteSize(), "payload size of packet " + i);
                        assertEquals(-1, src.asSlice(offsets[i], sizes[i]).mismatch(p.payload().asSlice(0, sizes[i])),
                                "payload of packet " + i);
                        for (long b = sizes[i]; b < padded; b++) {
                            assertEquals(0, p.payload().get(java.lang.foreign.ValueLayout.JAVA_BYTE, b));
                        }
                        received[0]++;
                        received[1] += padded;
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            for (int i = 0; i < PACKETS && failure.get() == null; i++) {
                channel.sendInband(i, src.asSlice(offsets[i], sizes[i]), false);
            }
            receiver.join();
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }

            channel.close();
            f.client.unload();
            EchoDevice.Counters echoed = f.first.counters();
            assertEquals(PACKETS, echoed.packetsIn());
            assertEquals(PACKETS, echoed.packetsOut());
            assertEquals(received[0], echoed.packetsOut());
            assertEquals(received[1], echoed.bytesIn());
            assertEquals(received[1], echoed.bytesOut());
            assertEquals(0, echoed.dropped());
            assertEquals(0, f.server.gpadlCount());
            assertTrue(f.server.version().isEmpty());
            EchoFixture.waitFor("every view closed", () -> f.memory.openViewCount() == 0);
            assertEquals(0, f.server.guestErrorCount(), "a well-behaved guest caused errors: " + f.loopback.logLines());
        }
    }

    @Test
    void anEmptyChannelReceivesNothingAndASmallRingStillCarriesItsLargestPacket() throws Exception {
        try (EchoFixture f = new EchoFixture(dev.parvis.vmbus.server.ServerConfig.defaults(1)
                .withSendTimeout(java.time.Duration.ofMillis(200)))) {
            ClientChannel channel = f.client.open(f.offers.get(1), 2, 2);
            int max = channel.maxPayload();
            byte[] big = new byte[max];
            new Random(1).nextBytes(big);
            channel.sendInband(7, MemorySegment.ofArray(big), true);
            IncomingPacket p = channel.receive(MemorySegment.ofArray(new byte[8192]));
            assertEquals(7, p.transactionId());
            assertEquals(-1, MemorySegment.ofArray(big).mismatch(p.payload().asSlice(0, max)));
            channel.close();
            assertEquals(1, f.second.counters().packetsOut());
        }
    }
}
