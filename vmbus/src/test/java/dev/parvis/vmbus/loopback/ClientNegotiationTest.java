package dev.parvis.vmbus.loopback;

import dev.parvis.abi.vmbus.DeviceClass;
import dev.parvis.abi.vmbus.OfferChannel;
import dev.parvis.abi.vmbus.VmbusVersion;
import dev.parvis.vmbus.client.VmbusClient;
import dev.parvis.vmbus.client.VmbusClientException;
import dev.parvis.vmbus.device.EchoDevice;
import dev.parvis.vmbus.server.ServerConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ClientNegotiationTest {

    @Test
    void theClientFallsBackPastRefusedVersionsAndCollectsTheOffers() throws Exception {
        try (LoopbackGuestMemory memory = new LoopbackGuestMemory(1);
             Loopback loopback = new Loopback(memory, ServerConfig.defaults(1), List.of(new EchoDevice()),
                     Duration.ofSeconds(5))) {
            VmbusClient client = loopback.client();
            assertEquals(VmbusVersion.WIN10,
                    client.connect(List.of(VmbusVersion.COPPER, VmbusVersion.WIN8_1, VmbusVersion.WIN10)));
            assertEquals(VmbusVersion.WIN10, loopback.server().version().orElseThrow());
            List<OfferChannel> offers = client.requestOffers();
            assertEquals(1, offers.size());
            assertEquals(DeviceClass.ECHO, offers.getFirst().interfaceType());
            assertEquals(EchoDevice.DEFAULT_INSTANCE, offers.getFirst().interfaceInstance());
            client.unload();
            assertEquals(VmbusVersion.WIN10_V5_3, client.connect());
        }
    }

    @Test
    void theClientReportsAHostThatRefusesEverything() throws Exception {
        try (LoopbackGuestMemory memory = new LoopbackGuestMemory(1);
             Loopback loopback = new Loopback(memory, ServerConfig.defaults(1), List.of(), Duration.ofSeconds(5))) {
            assertThrows(VmbusClientException.class,
                    () -> loopback.client().connect(List.of(VmbusVersion.COPPER, VmbusVersion.WIN7)));
        }
    }
}
