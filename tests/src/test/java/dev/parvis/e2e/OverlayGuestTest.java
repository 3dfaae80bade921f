package dev.parvis.e2e;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.abi.boot.BootProtocol;
import dev.parvis.hv.memory.GpaMap;
import dev.parvis.hv.memory.PoolStatistics;
import dev.parvis.root.loader.LoadedChild;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The gcc-built overlay guest moves its SIMP, SIEFP and hypercall page over its own data pages and
 * over its read-only boot page (and has the root's message land in the SIM page laid over the boot
 * page): every page beneath comes back intact, seen from inside the guest and from the root, and
 * every overlay page goes back to the root with the partition.
 */
@OnEachBackend
class OverlayGuestTest {
    @Test
    void overlaysNeverTouchThePagesTheyCoverAndComeBackWithThePartition() throws Exception {
        try (GuestHarness h = new GuestHarness()) {
            PoolStatistics before = h.hv.pool().statistics();
            LoadedChild guest = h.boot("overlay");
            GpaMap map = h.partition(guest).gpaMap();
            byte[] bootPage = new byte[4096];
            guest.bootInfo().write(MemorySegment.ofArray(bootPage));

            String ask = new String(h.awaitMessage(guest).payload(), StandardCharsets.US_ASCII);
            assertTrue(ask.startsWith("overlay: reply"), ask);
            assertTrue(map.isOverlaid(BootProtocol.BOOT_INFO_GPA >>> 12), "the SIM page lies over the boot page now");
            h.send(guest, "into the overlay".getBytes(StandardCharsets.US_ASCII));
            h.awaitPowerOff(guest);

            String out = h.output(guest);
            byte[] bootAfter = h.hv.pool().pages(map.spn(BootProtocol.BOOT_INFO_GPA >>> 12), 1).toArray(ValueLayout.JAVA_BYTE);
            assertAll(
                    () -> assertTrue(out.contains("overlay: 32 checks, 0 failed"), () -> h.describe(guest)),
                    () -> assertFalse(out.contains("FAIL"), () -> h.describe(guest)),
                    () -> assertArrayEquals(bootPage, bootAfter, "the read-only boot page, seen from the root"),
                    () -> assertEquals(1, map.overlaidGpns().length, "only the hypercall page is still laid"));
            h.destroy(guest);
            assertEquals(before, h.hv.pool().statistics(), "every page, overlay pages included, is back in the root");
        }
    }
}
