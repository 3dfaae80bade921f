package dev.parvis.e2e;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.abi.hv.HvMessage;
import dev.parvis.root.loader.LoadedChild;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The demo guest end to end: identification, a message each way, power-off. */
@OnEachBackend
@Timeout(60)
class HelloGuestTest {

    @Test
    void helloGuestIdentifiesHyperVExchangesMessagesWithTheRootAndPowersOff() throws Exception {
        try (GuestHarness h = new GuestHarness()) {
            LoadedChild hello = h.boot("hello");

            HvMessage greeting = h.awaitMessage(hello);
            assertEquals(1, greeting.type().raw(), "message type of the greeting");
            assertEquals("hello from guest", new String(greeting.payload(), StandardCharsets.US_ASCII),
                    () -> "greeting text\n" + h.describe(hello));

            h.send(hello, "hello from root".getBytes(StandardCharsets.US_ASCII));
            h.awaitPowerOff(hello);

            String out = h.output(hello);
            assertAll(
                    () -> assertTrue(out.contains("hypervisor-present=1"), "CPUID.1 hypervisor bit\n" + out),
                    () -> assertTrue(out.contains("vendor=\"Microsoft Hv\""), "vendor leaf\n" + out),
                    () -> assertTrue(out.contains("interface=\"Hv#1\""), "interface leaf\n" + out),
                    () -> assertTrue(out.contains("read back 0xd001000001000000 (status 0x0)"), "guest OS id read back\n" + out),
                    () -> assertTrue(out.contains("root replied: hello from root"), "the root's reply reached the guest\n" + out));
        }
    }
}
