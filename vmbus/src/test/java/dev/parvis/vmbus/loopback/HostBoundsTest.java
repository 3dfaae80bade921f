package dev.parvis.vmbus.loopback;

import dev.parvis.abi.vmbus.DeviceClass;
import dev.parvis.abi.vmbus.Guid;
import dev.parvis.abi.vmbus.OfferChannel;
import dev.parvis.abi.vmbus.OpenChannel;
import dev.parvis.abi.vmbus.OpenChannelResult;
import dev.parvis.abi.vmbus.VmbusConstants;
import dev.parvis.vmbus.client.ClientChannel;
import dev.parvis.vmbus.client.VmbusClientException;
import dev.parvis.vmbus.device.ChannelHandler;
import dev.parvis.vmbus.device.EchoDevice;
import dev.parvis.vmbus.device.VmbusChannel;
import dev.parvis.vmbus.device.VmbusDeviceClass;
import dev.parvis.vmbus.ring.IncomingPacket;
import dev.parvis.vmbus.server.ServerChannel;
import dev.parvis.vmbus.server.ServerConfig;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The host sizes what it keeps for a guest, never the guest: a channel's receive buffer is the
 * device's maximum packet (not the guest's ring size) and all of a child's buffers share one budget;
 * a device or host failure, even an Error, ends only the channel or connection it concerns; a guest
 * that signals in a loop loses the channel it floods.
 */
class HostBoundsTest {
    private static final int PAGE = 4096;

    @Test
    void aHugeGuestRingGetsAReceiveBufferOfTheDevicesMaximumNotOfTheRing() throws Exception {
        try (EchoFixture f = new EchoFixture()) {
            ClientChannel big = f.client.open(f.offers.get(0), 1 + 1024, 9); // a 4 MiB guest-to-host ring
            ServerChannel server = f.server.channel(1).orElseThrow();
            assertEquals(EchoDevice.MAX_PAYLOAD + 4096, server.receiveBufferBytes(), "receive buffer bytes");
            f.assertEchoes(big);
        }
    }

    @Test
    void aPacketLargerThanTheDevicesMaximumClosesOnlyThatChannelWithTheReason() throws Exception {
        try (EchoFixture f = new EchoFixture()) {
            ClientChannel victim = f.client.open(f.offers.get(0), 1 + 64, 9);
            ClientChannel other = f.open(1);
            victim.sendInband(7, MemorySegment.ofArray(new byte[EchoDevice.MAX_PAYLOAD + 8192]), false);
            EchoFixture.waitFor("the server closes channel 1", () -> f.server.channel(1).isEmpty());
            assertTrue(f.logged("exceeds the channel's maximum of " + (EchoDevice.MAX_PAYLOAD + 4096) + " bytes"),
                    "log: " + f.loopback.logLines());
            f.assertEchoes(other);
        }
    }

    @Test
    void receiveBuffersOfOneChildShareOneBudgetAndAnOpenBeyondItIsRefused() throws Exception {
        ServerConfig tight = ServerConfig.defaults(1)
                .withLimits(ServerConfig.Limits.DEFAULTS.withReceiveBytes(EchoDevice.MAX_PAYLOAD + 4096 + 8 * PAGE));
        try (EchoFixture f = new EchoFixture(tight)) {
            ClientChannel first = f.client.open(f.offers.get(0), 1 + 64, 9);
            int gpadl = f.client.createGpadl(2, f.memory.allocate(1 + 64 + 9));
            f.client.post(new OpenChannel(2, 2, gpadl, 0, 1 + 64, null));
            assertEquals(VmbusConstants.STATUS_UNSUCCESSFUL,
                    f.client.await(OpenChannelResult.class, r -> r.childRelid() == 2).status());
            assertTrue(f.logged("receive buffers of the open channels would reach"), "log: " + f.loopback.logLines());
            f.assertEchoes(first);
            first.close();
            f.client.teardownGpadl(2, gpadl);
            f.assertEchoes(f.client.open(f.offers.get(1), 1 + 64, 9)); // the budget came back with the close
        }
    }

    @Test
    void anErrorThrownByADeviceHandlerClosesOnlyItsChannel() throws Exception {
        VmbusDeviceClass failing = device(Guid.parse("7a0c6d1e-0000-4000-8000-0000000000ee"), false);
        EchoDevice echo = new EchoDevice();
        try (LoopbackGuestMemory memory = new LoopbackGuestMemory(5);
             Loopback loop = new Loopback(memory, ServerConfig.defaults(1), List.of(failing, echo), Duration.ofSeconds(5))) {
            loop.client().connect();
            List<OfferChannel> offers = loop.client().requestOffers();
            ClientChannel victim = loop.client().open(offers.get(0), 9, 9);
            ClientChannel other = loop.client().open(offers.get(1), 9, 9);
            ServerChannel failed = loop.server().channel(1).orElseThrow();
            victim.sendInband(1, MemorySegment.ofArray(new byte[16]), false);
            EchoFixture.waitFor("channel 1 closes", () -> loop.server().channel(1).isEmpty());
            assertTrue(failed.closeReason().contains("device handler failed: java.lang.OutOfMemoryError"),
                    "reason: " + failed.closeReason());
            assertEcho(other);
            assertTrue(loop.server().failure().isEmpty(), "the connection lives on");
        }
    }

    @Test
    void anErrorThrownByADeviceOpenFailsThatConnectionAndTheLoopbackGoesOnServing() throws Exception {
        VmbusDeviceClass failing = device(Guid.parse("7a0c6d1e-0000-4000-8000-0000000000ef"), true);
        try (LoopbackGuestMemory memory = new LoopbackGuestMemory(6);
             Loopback loop = new Loopback(memory, ServerConfig.defaults(1), List.of(failing), Duration.ofMillis(500))) {
            loop.client().connect();
            List<OfferChannel> offers = loop.client().requestOffers();
            assertThrows(VmbusClientException.class, () -> loop.client().open(offers.get(0), 9, 9));
            assertTrue(loop.server().failure().orElse("").contains("OutOfMemoryError"),
                    "failure: " + loop.server().failure());
        }
    }

    @Test
    void aGuestSignallingInALoopLosesThatChannelAndTheOtherKeepsEchoing() throws Exception {
        try (EchoFixture f = new EchoFixture()) {
            ClientChannel flooder = f.open(0);
            ClientChannel other = f.open(1);
            for (int i = 0; i < 200; i++) {
                f.assertEchoes(flooder); // ordinary traffic never counts as a flood
            }
            assertTrue(f.server.channel(1).isPresent(), "200 echoes with their signals did not close the channel");
            for (int i = 0; i < 100_000 && f.server.channel(1).isPresent(); i++) {
                flooder.signalHost();
            }
            EchoFixture.waitFor("the server closes channel 1", () -> f.server.channel(1).isEmpty());
            assertTrue(f.logged("signal flood"), "log: " + f.loopback.logLines());
            f.assertEchoes(other);
        }
    }

    private static void assertEcho(ClientChannel channel) throws Exception {
        channel.sendInband(99, MemorySegment.ofArray(new byte[24]), false);
        IncomingPacket p = channel.receive(MemorySegment.ofArray(new byte[4096]));
        assertTrue(p != null && p.transactionId() == 99, "echo");
    }

    /** A device that throws OutOfMemoryError from its open, or from its handler on every packet. */
    private static VmbusDeviceClass device(Guid instance, boolean failOpen) {
        return new VmbusDeviceClass() {
            @Override
            public Guid interfaceType() {
                return DeviceClass.ECHO;
            }

            @Override
            public Guid instance() {
                return instance;
            }

            @Override
            public ChannelHandler open(VmbusChannel channel) {
                if (failOpen) {
                    throw new OutOfMemoryError("test: no memory to open");
                }
                return new ChannelHandler() {
                    @Override
                    public void onPacket(IncomingPacket packet) {
                        throw new OutOfMemoryError("test: no memory for a packet");
                    }

                    @Override
                    public void onClose() {
                    }
                };
            }
        };
    }
}
