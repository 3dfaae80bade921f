package dev.parvis.devices.ic;

import dev.parvis.abi.vmbus.DeviceClass;
import dev.parvis.vmbus.client.VmbusClientException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EnableDisableTest {

    @Test
    void aDisabledServiceIsNotOfferedAndShowsDisabled() throws Exception {
        try (IntegrationServices ics = new IntegrationServices(() -> 0)) {
            ics.heartbeat().setEnabled(false);
            assertEquals(4, ics.offered().size());
            assertFalse(ics.offered().contains(ics.heartbeat()));
            assertEquals(IcStatus.DISABLED, ics.statuses().get("heartbeat"));
            assertEquals(IcStatus.NO_CONTACT, ics.statuses().get("kvp"));
            try (IcFixture f = new IcFixture(ics.all().toArray(IcService[]::new))) {
                assertEquals(4, f.offers.size());
                assertTrue(f.offers.stream().noneMatch(o -> o.interfaceType().equals(DeviceClass.HEARTBEAT)));
            }
        }
    }

    @Test
    void disablingAnOpenServiceClosesItsChannelAndRefusesTheNextOpen() throws Exception {
        ShutdownService shutdown = new ShutdownService();
        try (IcFixture f = new IcFixture(shutdown)) {
            f.guest(shutdown, IcVersions.SHUTDOWN, (h, b) -> 0);
            IcFixture.waitForNegotiation(shutdown);
            assertEquals(IcStatus.OK, shutdown.status());
            shutdown.setEnabled(false);
            assertEquals(IcStatus.DISABLED, shutdown.status());
            IcFixture.waitFor("channel closed", Duration.ofSeconds(5), () -> shutdown.channel() == null);
            assertThrows(VmbusClientException.class, () -> f.client.open(f.offer(DeviceClass.SHUTDOWN), 9, 9));
        }
    }

    @Test
    void offersArePipeModeMessageChannels() {
        for (IcService s : List.<IcService>of(new HeartbeatService(), new KvpService())) {
            assertEquals(0x11, s.offerFlags());
            assertEquals(4, s.userDefined()[0]);
            s.close();
        }
    }
}
