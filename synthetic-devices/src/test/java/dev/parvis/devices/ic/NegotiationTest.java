package dev.parvis.devices.ic;

import dev.parvis.abi.ic.IcConstants;
import dev.parvis.abi.ic.IcMessageType;
import dev.parvis.abi.ic.IcVersion;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NegotiationTest {
    private static final GuestResponder.Handler OK = (h, b) -> IcConstants.S_OK;

    @Test
    void negotiationPicksTheNewestCommonFrameworkAndMessageVersions() throws Exception {
        KvpService kvp = new KvpService();
        ShutdownService shutdown = new ShutdownService();
        try (IcFixture f = new IcFixture(kvp, shutdown)) {
            // A Linux guest knows KVP 4.0, 3.0, 1.0; the host also offers 5.0.
            GuestResponder g = f.guest(kvp, List.of(IcVersion.of(4, 0), IcVersion.of(3, 0), IcVersion.of(1, 0)),
                    (h, b) -> IcConstants.NO_MORE_ITEMS);
            f.guest(shutdown, List.of(IcVersion.of(3, 2), IcVersion.of(3, 1), IcVersion.of(3, 0), IcVersion.of(1, 0)), OK);
            IcFixture.waitForNegotiation(kvp);
            IcFixture.waitForNegotiation(shutdown);
            assertEquals(new IcVersions.Negotiated(IcVersion.of(3, 0), IcVersion.of(4, 0)), kvp.channel().negotiated());
            assertEquals(new IcVersions.Negotiated(IcVersion.of(3, 0), IcVersion.of(3, 2)),
                    shutdown.channel().negotiated());
            assertEquals(IcVersion.of(4, 0), g.chosenMessage);
            IcMessageTypeSeen.assertFirstIsNegotiate(g);
        }
    }

    @Test
    void anOldGuestGetsTheOldestVersionsBothSidesKnow() throws Exception {
        HeartbeatService heartbeat = new HeartbeatService();
        try (IcFixture f = new IcFixture(heartbeat)) {
            GuestResponder g = new GuestResponder(f.open(heartbeat.interfaceType()), List.of(IcVersion.of(1, 0)),
                    List.of(IcVersion.of(1, 0)), OK);
            try (g) {
                IcFixture.waitForNegotiation(heartbeat);
                assertEquals(new IcVersions.Negotiated(IcVersion.of(1, 0), IcVersion.of(1, 0)),
                        heartbeat.channel().negotiated());
            }
        }
    }

    @Test
    void aGuestWithNoCommonVersionLeavesTheServiceDegraded() throws Exception {
        ShutdownService shutdown = new ShutdownService();
        try (IcFixture f = new IcFixture(shutdown)) {
            f.guest(shutdown, List.of(IcVersion.of(9, 9)), OK);
            IcFixture.waitForNegotiation(shutdown);
            IcStatus.Degraded d = assertInstanceOf(IcStatus.Degraded.class, shutdown.status());
            assertTrue(d.reason().contains("no version in common"), d.reason());
        }
    }

    @Test
    void aGuestChoosingAVersionTheHostDidNotOfferIsDegraded() throws Exception {
        ShutdownService shutdown = new ShutdownService();
        try (IcFixture f = new IcFixture(shutdown)) {
            GuestResponder g = new GuestResponder(f.open(shutdown.interfaceType()), GuestResponder.LINUX_FRAMEWORK,
                    List.of(IcVersion.of(3, 0)), OK, IcVersion.of(2, 7));
            try (g) {
                IcFixture.waitForNegotiation(shutdown);
                IcStatus.Degraded d = assertInstanceOf(IcStatus.Degraded.class, shutdown.status());
                assertTrue(d.reason().contains("unknown version"), d.reason());
            }
        }
    }

    /**
     * A restored VM's channel keeps the versions it negotiated before the save: the service shows OK
     * as soon as the channel opens, the guest gets no NEGOTIATE, and requests flow in those versions.
     */
    @Test
    void aRestoredChannelAdoptsItsSavedVersionsWithoutAskingTheGuest() throws Exception {
        ShutdownService shutdown = new ShutdownService();
        IcVersions.Negotiated saved = new IcVersions.Negotiated(IcVersion.of(3, 0), IcVersion.of(3, 1));
        shutdown.restoreNegotiated(saved);
        try (IcFixture f = new IcFixture(shutdown)) {
            GuestResponder g = f.guest(shutdown, IcVersions.SHUTDOWN, OK);
            IcFixture.waitFor("the channel open", java.time.Duration.ofSeconds(5), () -> shutdown.channel() != null);
            assertEquals(IcStatus.OK, shutdown.status());
            assertEquals(saved, shutdown.negotiatedVersions());
            assertTrue(shutdown.requestShutdown(false, "after restore").get(5, java.util.concurrent.TimeUnit.SECONDS).succeeded());
            assertEquals(List.of(IcMessageType.SHUTDOWN), g.requests().stream().map(r -> r.type()).toList(),
                    "the guest saw only the shutdown request");
            assertEquals(IcVersion.of(3, 1), g.requests().getFirst().messageVersion());
        }
    }

    @Test
    void versionsTheHostDoesNotOfferAreNotRestored() {
        ShutdownService shutdown = new ShutdownService();
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> shutdown.restoreNegotiated(new IcVersions.Negotiated(IcVersion.of(3, 0), IcVersion.of(9, 9))));
        assertTrue(e.getMessage().contains("not a pair this host offers"), e.getMessage());
        shutdown.close();
    }

    /** Small assertion helper on what the guest saw. */
    static final class IcMessageTypeSeen {
        static void assertFirstIsNegotiate(GuestResponder g) {
            assertEquals(IcMessageType.NEGOTIATE, g.requests().getFirst().type());
        }
    }
}
