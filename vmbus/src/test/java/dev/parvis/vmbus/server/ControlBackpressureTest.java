package dev.parvis.vmbus.server;

import dev.parvis.abi.vmbus.AllOffersDelivered;
import dev.parvis.abi.vmbus.ChannelMessage;
import dev.parvis.abi.vmbus.OfferChannel;
import dev.parvis.abi.vmbus.OpenChannel;
import dev.parvis.abi.vmbus.RequestOffers;
import dev.parvis.abi.vmbus.VersionResponse;
import dev.parvis.abi.vmbus.VmbusVersion;
import dev.parvis.vmbus.device.EchoDevice;
import dev.parvis.abi.vmbus.Guid;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server owns its backpressure (OpenVMM's model): a message the guest's full queue refuses is
 * kept, in order, with one retry requested; guest messages are held back unprocessed meanwhile; a
 * guest that keeps posting while it ignores its answers overflows a bounded queue and loses its
 * connection, with the reason.
 */
class ControlBackpressureTest {

    private static ServerHarness harness(int pending, int deferred) {
        ServerHarness h = new ServerHarness(ServerConfig.defaults(1)
                .withLimits(ServerConfig.Limits.DEFAULTS.withQueues(pending, deferred)));
        h.server.addDevice(new EchoDevice(Guid.parse("7a0c6d1e-0000-4000-8000-000000000001")));
        h.server.addDevice(new EchoDevice(Guid.parse("7a0c6d1e-0000-4000-8000-000000000002")));
        return h;
    }

    @Test
    void refusedAnswersAreKeptInOrderAndGuestMessagesWaitUntilTheyAreDelivered() {
        try (ServerHarness h = harness(16, 16)) {
            h.effects.queueFull = true;
            assertEquals(List.of(), h.connect(VmbusVersion.WIN10_V5_3), "nothing delivered while the queue is full");
            assertEquals(1, h.effects.retriesRequested, "one retry asked for");
            assertTrue(h.server.blockedOnGuest());
            assertEquals(List.of(), h.send(new RequestOffers()), "REQUEST_OFFERS held back, not answered");
            assertEquals(List.of(), h.server.offeredRelids(), "and not processed yet");

            h.server.flush();
            assertEquals(2, h.effects.retriesRequested, "still full: another retry");
            h.effects.queueFull = false;
            h.server.flush();
            List<ChannelMessage> sent = h.effects.take();
            assertEquals(4, sent.size(), "version response, two offers, all-offers-delivered: " + sent);
            assertInstanceOf(VersionResponse.class, sent.get(0));
            assertInstanceOf(OfferChannel.class, sent.get(1));
            assertInstanceOf(OfferChannel.class, sent.get(2));
            assertInstanceOf(AllOffersDelivered.class, sent.get(3));
            assertTrue(h.server.failure().isEmpty());
        }
    }

    @Test
    void aGuestThatPostsOnWhileIgnoringItsAnswersLosesTheConnectionWithTheReason() {
        try (ServerHarness h = harness(16, 8)) {
            h.connectAndRequestOffers();
            h.effects.queueFull = true;
            h.send(new OpenChannel(77, 1, 0x1234, 0, 2, null)); // answered with a failure the queue refuses
            for (int i = 0; i < 8; i++) {
                h.send(new OpenChannel(77, 1, 0x1234, 0, 2, null)); // held back
            }
            assertTrue(h.server.failure().isEmpty(), "8 held-back messages are within the bound");
            h.send(new OpenChannel(77, 1, 0x1234, 0, 2, null));
            assertTrue(h.server.failure().orElse("").contains("control-message flood: 8 messages posted while 1 answers wait"),
                    "failure: " + h.server.failure());
            assertEquals(List.of(), h.server.offeredRelids(), "offers released");
            assertEquals(List.of(1, 2), h.effects.signalsReleased, "signal paths released");
            h.effects.queueFull = false;
            h.server.flush();
            assertEquals(List.of(), h.send(new RequestOffers()), "a failed connection ignores the guest");
            assertEquals(List.of(), h.effects.take(), "and sends nothing");
        }
    }

    @Test
    void offersStopWhenAnOfferFailsTheConnectionAndNoneIsLeftBehind() {
        try (ServerHarness h = harness(1, 8)) {
            h.server.addDevice(new EchoDevice(Guid.parse("7a0c6d1e-0000-4000-8000-000000000003")));
            h.connect(VmbusVersion.WIN10_V5_3);
            h.effects.queueFull = true;
            h.send(new RequestOffers()); // the first offer waits; the second overflows the queue of one
            assertTrue(h.server.failure().orElse("").contains("undelivered"), "failure: " + h.server.failure());
            assertEquals(List.of(), h.server.offeredRelids(), "a failed connection holds no offer");
            assertEquals(h.effects.signalsCreated, h.effects.signalsReleased, "every signal path made was released");
        }
    }

    @Test
    void hostMessagesBeyondThePendingBoundFailTheConnectionInsteadOfGrowingTheQueue() {
        try (ServerHarness h = harness(2, 8)) {
            h.effects.queueFull = true;
            h.connect(VmbusVersion.WIN10_V5_3);
            h.effects.queueFull = false;
            h.server.flush();
            h.effects.take();
            h.effects.queueFull = true;
            h.send(new RequestOffers()); // two offers and ALL_OFFERS_DELIVERED: three for a queue of two
            assertTrue(h.server.failure().orElse("").contains("undelivered"), "failure: " + h.server.failure());
        }
    }
}
