package dev.parvis.devices.ic;

import dev.parvis.abi.ic.IcConstants;
import dev.parvis.abi.ic.KvpValue;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KvpServiceTest {

    @Test
    void setGetDeleteAndEnumerateRoundTripThroughTheGuestsPools() throws Exception {
        KvpService kvp = new KvpService();
        GuestKvpStore store = new GuestKvpStore();
        try (IcFixture f = new IcFixture(kvp)) {
            f.guest(kvp, List.of(dev.parvis.abi.ic.IcVersion.of(4, 0)), store);
            IcFixture.waitForNegotiation(kvp);
            byte external = IcConstants.KVP_POOL_EXTERNAL;
            assertTrue(kvp.set(external, "VmRole", "database").succeeded());
            assertTrue(kvp.set(external, "Ünïcode-ключ", "värde ☃").succeeded());
            assertEquals("database", store.pool(external).get("VmRole"));
            assertEquals(Optional.of("värde ☃"), kvp.get(external, "Ünïcode-ключ"));
            assertEquals(Optional.empty(), kvp.get(external, "missing"));
            assertEquals(Optional.empty(), kvp.get(IcConstants.KVP_POOL_GUEST, "VmRole"), "pools are separate");

            List<KvpValue> items = kvp.enumerate(external);
            assertEquals(List.of("VmRole", "Ünïcode-ключ"), items.stream().map(KvpValue::keyString).toList());

            assertTrue(kvp.delete(external, "VmRole").succeeded());
            assertEquals(IcResult.class, kvp.delete(external, "VmRole").getClass());
            assertEquals(IcConstants.NOT_FOUND, kvp.delete(external, "VmRole").status());
            assertEquals(Optional.empty(), kvp.get(external, "VmRole"));
            assertEquals(1, kvp.enumerate(external).size());
            assertEquals(IcStatus.OK, kvp.status());
        }
    }

    @Test
    void theGuestsIntrinsicItemsAreReadAfterNegotiation() throws Exception {
        KvpService kvp = new KvpService();
        try (IcFixture f = new IcFixture(kvp)) {
            f.guest(kvp, List.of(dev.parvis.abi.ic.IcVersion.of(4, 0)), new GuestKvpStore());
            IcFixture.waitFor("intrinsic items", Duration.ofSeconds(5), () -> !kvp.guestIntrinsicItems().isEmpty());
            assertEquals(GuestKvpStore.INTRINSIC, kvp.guestIntrinsicItems());
            Map<String, String> again = kvp.refreshGuestIntrinsicItems();
            assertEquals(GuestKvpStore.INTRINSIC, again);
        }
    }

    @Test
    void aGuestThatNeverEndsAnEnumerationDegradesTheService() throws Exception {
        KvpService kvp = new KvpService();
        try (IcFixture f = new IcFixture(kvp)) {
            // The guest answers every request S_OK without touching it: the AUTO pool never ends.
            GuestResponder g = new GuestResponder(f.open(kvp.interfaceType()), GuestResponder.LINUX_FRAMEWORK,
                    List.of(dev.parvis.abi.ic.IcVersion.of(4, 0)), (h, b) -> IcConstants.S_OK);
            try (g) {
                IcFixture.waitForNegotiation(kvp);
                IcFixture.waitFor("degraded", Duration.ofSeconds(30),
                        () -> kvp.status() instanceof IcStatus.Degraded);
                IcStatus.Degraded d = (IcStatus.Degraded) kvp.status();
                assertTrue(d.reason().contains("enumerates past"), d.reason());
            }
        }
    }
}
