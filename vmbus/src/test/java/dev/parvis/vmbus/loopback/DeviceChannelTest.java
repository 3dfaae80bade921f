package dev.parvis.vmbus.loopback;

import dev.parvis.abi.vmbus.Guid;
import dev.parvis.abi.vmbus.ModifyChannel;
import dev.parvis.abi.vmbus.ModifyChannelResponse;
import dev.parvis.abi.vmbus.OfferChannel;
import dev.parvis.abi.vmbus.VmbusConstants;
import dev.parvis.vmbus.client.ClientChannel;
import dev.parvis.vmbus.client.GuestPages;
import dev.parvis.vmbus.client.VmbusClient;
import dev.parvis.vmbus.device.ChannelCounters;
import dev.parvis.vmbus.device.ChannelHandler;
import dev.parvis.vmbus.device.GpaDirectBuffers;
import dev.parvis.vmbus.device.GpaDirectRefusedException;
import dev.parvis.vmbus.device.SendResult;
import dev.parvis.vmbus.device.VmbusChannel;
import dev.parvis.vmbus.device.VmbusDeviceClass;
import dev.parvis.vmbus.ring.IncomingPacket;
import dev.parvis.abi.vmbus.PacketType;
import dev.parvis.vmbus.server.ServerConfig;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The device-facing API through the loopback: GPA-direct mapping, full rings, counters, close. */
class DeviceChannelTest {
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final Guid TYPE = Guid.parse("0badc0de-0000-4000-8000-000000000001");

    /**
     * Test device: GPA-direct packets are answered with the bytes of their ranges (mapped read-only)
     * or, when refused, a completion with payload "NO"; an in-band packet whose first byte is N
     * makes it send N packets of 4000 bytes and record each result.
     */
    private static final class TestDevice implements VmbusDeviceClass {
        final List<SendResult> results = new CopyOnWriteArrayList<>();
        final List<Long> sendNanos = new CopyOnWriteArrayList<>();
        final AtomicInteger closes = new AtomicInteger();
        final CountDownLatch burstDone = new CountDownLatch(1);
        volatile VmbusChannel channel;

        @Override
        public Guid interfaceType() {
            return TYPE;
        }

        @Override
        public Guid instance() {
            return TYPE;
        }

        @Override
        public ChannelHandler open(VmbusChannel ch) {
            channel = ch;
            return new ChannelHandler() {
                @Override
                public void onPacket(IncomingPacket packet) {
                    if (packet.type().equals(PacketType.DATA_USING_GPA_DIRECT)) {
                        try (GpaDirectBuffers buffers = ch.mapGpaDirect(packet, false)) {
                            int total = buffers.ranges().stream().mapToInt(r -> r.byteCount()).sum();
                            MemorySegment copy = MemorySegment.ofArray(new byte[total]);
                            long at = 0;
                            for (var range : buffers.ranges()) {
                                range.copyTo(copy, at);
                                at += range.byteCount();
                            }
                            assertThrows(IllegalArgumentException.class,
                                    () -> buffers.ranges().getFirst().copyFrom(copy, 0));
                            ch.sendInband(packet.transactionId(), copy, false);
                        } catch (GpaDirectRefusedException e) {
                            ch.sendCompletion(packet.transactionId(), MemorySegment.ofArray("NO".getBytes()));
                        }
                        return;
                    }
                    int burst = packet.payload().get(ValueLayout.JAVA_BYTE, 0);
                    for (int i = 0; i < burst; i++) {
                        long start = System.nanoTime();
                        results.add(ch.sendInband(i, MemorySegment.ofArray(new byte[4000]), false));
                        sendNanos.add(System.nanoTime() - start);
                    }
                    burstDone.countDown();
                }

                @Override
                public void onClose() {
                    closes.incrementAndGet();
                }
            };
        }
    }

    private record Setup(Loopback loopback, LoopbackGuestMemory memory, VmbusClient client, OfferChannel offer)
            implements AutoCloseable {
        @Override
        public void close() throws Exception {
            assertTrue(memory.guardsIntact());
            loopback.close();
            memory.close();
        }
    }

    private static Setup setup(TestDevice device, Duration sendTimeout) throws Exception {
        LoopbackGuestMemory memory = new LoopbackGuestMemory(9);
        Loopback loopback = new Loopback(memory, ServerConfig.defaults(2).withSendTimeout(sendTimeout),
                List.of(device), Duration.ofSeconds(10));
        VmbusClient client = loopback.client();
        client.connect();
        return new Setup(loopback, memory, client, client.requestOffers().getFirst());
    }

    private static MemorySegment gpaDirectHeader(long[] pfns, int byteOffset, int byteCount) {
        MemorySegment h = MemorySegment.ofArray(new byte[16 + 8 * pfns.length]);
        h.set(U32, 4, 1);
        h.set(U32, 8, byteCount);
        h.set(U32, 12, byteOffset);
        for (int i = 0; i < pfns.length; i++) {
            h.set(U64, 16 + 8L * i, pfns[i]);
        }
        return h;
    }

    @Test
    void aGpaDirectPacketsRangesResolveToTheGuestsBytesReadOnly() throws Exception {
        TestDevice device = new TestDevice();
        try (Setup s = setup(device, Duration.ofSeconds(5))) {
            ClientChannel channel = s.client().open(s.offer(), 4, 4);
            GuestPages data = s.memory().allocate(3);
            for (int p = 0; p < 3; p++) {
                for (int i = 0; i < 4096; i++) {
                    data.page(p).set(ValueLayout.JAVA_BYTE, i, (byte) (p * 31 + i));
                }
            }
            int viewsBefore = s.memory().openViewCount();
            // 6000 bytes starting 100 bytes into the first page: spans pages 0 and 1.
            channel.send(PacketType.DATA_USING_GPA_DIRECT, 0, 77, gpaDirectHeader(
                    new long[] {data.gpns()[0], data.gpns()[1]}, 100, 6000), MemorySegment.ofArray(new byte[8]));
            IncomingPacket answer = channel.receive(MemorySegment.ofArray(new byte[16384]));
            assertNotNull(answer);
            assertEquals(77, answer.transactionId());
            MemorySegment expected = MemorySegment.ofArray(new byte[6000]);
            MemorySegment.copy(data.contiguous(), 100, expected, 0, 6000);
            assertEquals(-1, expected.mismatch(answer.payload().asSlice(0, 6000)));
            assertEquals(viewsBefore, s.memory().openViewCount(), "GPA-direct buffers open no grant");

            channel.send(PacketType.DATA_USING_GPA_DIRECT, 0, 78, gpaDirectHeader(
                    new long[] {s.memory().unmappedGpn()}, 0, 10), MemorySegment.ofArray(new byte[8]));
            IncomingPacket refused = channel.receive(MemorySegment.ofArray(new byte[16384]));
            assertEquals(PacketType.COMPLETION, refused.type());
            assertEquals(78, refused.transactionId());

            channel.send(PacketType.DATA_USING_GPA_DIRECT, 0, 79, gpaDirectHeader(
                    new long[] {data.gpns()[0]}, 0, 5000), MemorySegment.ofArray(new byte[8]));
            assertEquals(PacketType.COMPLETION, channel.receive(MemorySegment.ofArray(new byte[16384])).type(),
                    "a range needing 2 PFNs but carrying 1");
            // The device counts a send after its write returns, so the guest may see the packet first.
            EchoFixture.waitFor("three sends counted", () -> device.channel.counters().packetsOut() == 3);
            ChannelCounters counters = device.channel.counters();
            assertEquals(3, counters.packetsIn());
            assertEquals(6000 + 2 + 2, counters.bytesOut());
            channel.close();
            EchoFixture.waitFor("onClose", () -> device.closes.get() == 1);
        }
    }

    @Test
    void aSendOnAFullRingParksUntilItsDeadlineAndReportsRingFull() throws Exception {
        TestDevice device = new TestDevice();
        try (Setup s = setup(device, Duration.ofMillis(300))) {
            // Host-to-guest ring of 2 pages: one 4 KiB data page holds no 4000-byte packet twice.
            ClientChannel channel = s.client().open(s.offer(), 2, 3);
            channel.sendInband(1, MemorySegment.ofArray(new byte[] {3}), false);
            assertTrue(device.burstDone.await(5, TimeUnit.SECONDS));
            assertEquals(List.of(SendResult.SENT, SendResult.SENT, SendResult.RING_FULL), device.results);
            assertTrue(device.sendNanos.get(2) >= Duration.ofMillis(250).toNanos(), "waited for its deadline");
            assertEquals(SendResult.RING_FULL, device.channel.trySendInband(9, MemorySegment.ofArray(new byte[4000]), false));
            channel.close();
        }
    }

    @Test
    void aSendOnAFullRingCompletesWhenTheGuestFreesSpace() throws Exception {
        TestDevice device = new TestDevice();
        try (Setup s = setup(device, Duration.ofSeconds(10))) {
            ClientChannel channel = s.client().open(s.offer(), 2, 3);
            channel.sendInband(1, MemorySegment.ofArray(new byte[] {20}), false);
            MemorySegment buffer = MemorySegment.ofArray(new byte[8192]);
            for (int i = 0; i < 20; i++) {
                IncomingPacket p = channel.receive(buffer);
                assertNotNull(p, "packet " + i);
                assertEquals(i, p.transactionId());
            }
            assertTrue(device.burstDone.await(5, TimeUnit.SECONDS));
            assertTrue(device.results.stream().allMatch(r -> r == SendResult.SENT), device.results.toString());
            assertEquals(20, device.channel.counters().packetsOut());
            assertEquals(20 * 4000, device.channel.counters().bytesOut());
            channel.close();
        }
    }

    @Test
    void aDeviceCloseEndsTheChannelAndSendsReportClosed() throws Exception {
        TestDevice device = new TestDevice();
        try (Setup s = setup(device, Duration.ofSeconds(1))) {
            ClientChannel channel = s.client().open(s.offer(), 2, 2);
            device.channel.close();
            EchoFixture.waitFor("onClose", () -> device.closes.get() == 1);
            assertEquals(SendResult.CLOSED, device.channel.sendInband(1, MemorySegment.ofArray(new byte[8]), false));
            EchoFixture.waitFor("channel gone", () -> s.loopback().server().channel(channel.relid()).isEmpty());
            s.client().teardownGpadl(channel.relid(), channel.gpadl());
        }
    }

    @Test
    void modifyChannelIsAnsweredFrom53() throws Exception {
        TestDevice device = new TestDevice();
        try (Setup s = setup(device, Duration.ofSeconds(1))) {
            ClientChannel channel = s.client().open(s.offer(), 2, 2);
            s.client().post(new ModifyChannel(channel.relid(), 1));
            assertEquals(VmbusConstants.STATUS_SUCCESS,
                    s.client().await(ModifyChannelResponse.class, r -> r.childRelid() == channel.relid()).status());
            s.client().post(new ModifyChannel(channel.relid(), 5));
            assertEquals(VmbusConstants.STATUS_UNSUCCESSFUL,
                    s.client().await(ModifyChannelResponse.class, r -> r.childRelid() == channel.relid()).status());
            channel.close();
        }
    }
}
