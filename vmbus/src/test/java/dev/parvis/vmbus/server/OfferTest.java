package dev.parvis.vmbus.server;

import dev.parvis.abi.vmbus.AllOffersDelivered;
import dev.parvis.abi.vmbus.ChannelMessage;
import dev.parvis.abi.vmbus.DeviceClass;
import dev.parvis.abi.vmbus.Guid;
import dev.parvis.abi.vmbus.OfferChannel;
import dev.parvis.abi.vmbus.RelidReleased;
import dev.parvis.abi.vmbus.RequestOffers;
import dev.parvis.abi.vmbus.RescindChannelOffer;
import dev.parvis.abi.vmbus.Unload;
import dev.parvis.abi.vmbus.VmbusConstants;
import dev.parvis.vmbus.device.EchoDevice;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OfferTest {
    static final Guid A = Guid.parse("11111111-2222-3333-4444-555555555555");
    static final Guid B = Guid.parse("66666666-7777-8888-9999-aaaaaaaaaaaa");

    @Test
    void offersCarryTheRegisteredGuidsRelidsAndConnectionIdsThenAllOffersDelivered() {
        try (ServerHarness h = new ServerHarness()) {
            h.server.addDevice(new EchoDevice(A));
            h.server.addDevice(new EchoDevice(B));
            List<ChannelMessage> answers = h.connectAndRequestOffers();
            assertEquals(3, answers.size(), answers.toString());
            for (int i = 0; i < 2; i++) {
                OfferChannel o = assertInstanceOf(OfferChannel.class, answers.get(i));
                assertEquals(DeviceClass.ECHO, o.interfaceType());
                assertEquals(i == 0 ? A : B, o.interfaceInstance());
                assertEquals(i + 1, o.childRelid());
                assertEquals(0x2000 | (i + 1), o.connectionId());
                assertEquals(0, o.subChannelIndex());
                assertEquals((byte) VmbusConstants.MONITOR_ID_NONE, o.monitorId());
                assertFalse(o.monitorAllocated());
                assertTrue(o.dedicatedInterrupt());
                assertEquals(0, o.channelFlags());
                assertArrayEquals(new byte[120], o.userDefined());
            }
            assertInstanceOf(AllOffersDelivered.class, answers.get(2));
            assertEquals(List.of(1, 2), h.effects.signalsCreated);
        }
    }

    @Test
    void aSecondRequestOffersIsLoggedAndIgnored() {
        try (ServerHarness h = new ServerHarness()) {
            h.server.addDevice(new EchoDevice(A));
            h.connectAndRequestOffers();
            int logged = h.effects.logCount();
            assertEquals(List.of(), h.send(new RequestOffers()));
            assertEquals(logged + 1, h.effects.logCount());
        }
    }

    @Test
    void requestOffersBeforeContactIsRefused() {
        try (ServerHarness h = new ServerHarness()) {
            h.server.addDevice(new EchoDevice(A));
            assertEquals(List.of(), h.send(new RequestOffers()));
            assertEquals(1, h.effects.logCount());
        }
    }

    @Test
    void rescindKeepsTheRelidUntilTheGuestReleasesIt() {
        try (ServerHarness h = new ServerHarness()) {
            h.server.addDevice(new EchoDevice(A));
            h.connectAndRequestOffers();
            assertTrue(h.server.rescind(1));
            assertEquals(List.of(new RescindChannelOffer(1)), h.effects.take());
            assertFalse(h.server.rescind(1));
            h.server.addDevice(new EchoDevice(B));
            OfferChannel hotAdded = assertInstanceOf(OfferChannel.class, h.effects.take().getFirst());
            assertEquals(2, hotAdded.childRelid(), "relid 1 is not reused before RELID_RELEASED");
            h.send(new RelidReleased(1));
            assertEquals(List.of(1), h.effects.signalsReleased);
            assertEquals(List.of(2), h.server.offeredRelids());
            h.server.addDevice(new EchoDevice(Guid.parse("00000000-0000-0000-0000-000000000003")));
            assertEquals(1, assertInstanceOf(OfferChannel.class, h.effects.take().getFirst()).childRelid());
        }
    }

    @Test
    void relidReleasedForALiveOfferIsRefused() {
        try (ServerHarness h = new ServerHarness()) {
            h.server.addDevice(new EchoDevice(A));
            h.connectAndRequestOffers();
            h.send(new RelidReleased(1));
            assertEquals(List.of(1), h.server.offeredRelids());
            assertEquals(1, h.effects.logCount());
        }
    }

    @Test
    void unloadReleasesEverySignalAndOffersAgainAfterReconnect() {
        try (ServerHarness h = new ServerHarness()) {
            h.server.addDevice(new EchoDevice(A));
            h.server.addDevice(new EchoDevice(B));
            h.connectAndRequestOffers();
            h.send(new Unload());
            assertEquals(List.of(1, 2), h.effects.signalsReleased);
            assertEquals(3, h.connectAndRequestOffers().size());
        }
    }
}
