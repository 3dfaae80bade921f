package dev.parvis.devices.ic;

import dev.parvis.abi.ic.IcConstants;
import dev.parvis.abi.ic.ShutdownMessage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShutdownServiceTest {

    @Test
    void aShutdownRequestIsAnsweredSOkAndCarriesForceAndMessage() throws Exception {
        ShutdownService shutdown = new ShutdownService();
        AtomicReference<ShutdownMessage> seen = new AtomicReference<>();
        try (IcFixture f = new IcFixture(shutdown)) {
            f.guest(shutdown, IcVersions.SHUTDOWN, (h, b) -> {
                seen.set(ShutdownMessage.read(b));
                return IcConstants.S_OK;
            });
            IcFixture.waitForNegotiation(shutdown);
            IcResult r = shutdown.requestShutdown(true, "host says bye").get(5, TimeUnit.SECONDS);
            assertTrue(r.succeeded(), r.toString());
            assertEquals(IcConstants.SHUTDOWN_FLAG_FORCE, seen.get().flags());
            assertEquals("host says bye", seen.get().displayMessage());
            assertEquals(IcStatus.OK, shutdown.status());
        }
    }

    @Test
    void aGuestThatCannotShutDownAnswersEFail() throws Exception {
        ShutdownService shutdown = new ShutdownService();
        try (IcFixture f = new IcFixture(shutdown)) {
            f.guest(shutdown, IcVersions.SHUTDOWN, (h, b) -> IcConstants.E_FAIL);
            IcFixture.waitForNegotiation(shutdown);
            IcResult r = shutdown.requestShutdown(false, "").get(5, TimeUnit.SECONDS);
            assertFalse(r.succeeded());
            assertEquals("E_FAIL", r.toString());
        }
    }

    @Test
    void withoutAGuestTheRequestFailsInsteadOfHanging() throws Exception {
        ShutdownService shutdown = new ShutdownService();
        try (IcFixture f = new IcFixture(shutdown)) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> shutdown.requestShutdown(false, "x").get(5, TimeUnit.SECONDS));
            assertInstanceOf(IcException.class, e.getCause());
        }
    }
}
