package dev.parvis.e2e;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.parvis.abi.hv.HvMessage;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.root.loader.LoadedChild;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/**
 * Malformed hypercalls from a real guest get the published status for each malformation, none of
 * them is delivered, and the guest and the kernel keep running.
 */
@OnEachBackend
@Timeout(60)
class BadHypercallsTest {
    private record Case(String what, HvStatus expected) {}

    /** The cases badcalls/main.c issues, in its order. */
    private static final Case[] CASES = {
        new Case("unknown call code 0x7777", HvStatus.INVALID_HYPERCALL_CODE),
        new Case("PostMessage with reserved control bit 27", HvStatus.INVALID_HYPERCALL_INPUT),
        new Case("PostMessage with reserved control bit 44", HvStatus.INVALID_HYPERCALL_INPUT),
        new Case("PostMessage with reserved control bit 60", HvStatus.INVALID_HYPERCALL_INPUT),
        new Case("PostMessage with the nested bit 31", HvStatus.INVALID_HYPERCALL_INPUT),
        new Case("PostMessage input GPA misaligned (page + 4)", HvStatus.INVALID_ALIGNMENT),
        new Case("PostMessage input GPA unmapped (0x7000_0000)", HvStatus.INVALID_PARAMETER),
        new Case("PostMessage input GPA in never-mapped page 0", HvStatus.INVALID_PARAMETER),
        new Case("GetVpRegisters output GPA in the read-only boot page", HvStatus.INVALID_PARAMETER),
        new Case("GetVpRegisters rep count 2000 (input past the page)", HvStatus.INVALID_HYPERCALL_INPUT),
        new Case("GetVpRegisters rep start 1 >= rep count 1", HvStatus.INVALID_HYPERCALL_INPUT),
        new Case("PostMessage (simple) with rep count 1", HvStatus.INVALID_HYPERCALL_INPUT),
        new Case("PostMessage as a fast call", HvStatus.INVALID_HYPERCALL_INPUT),
        new Case("GetVpRegisters input crossing the page end (page + 4088)", HvStatus.INVALID_HYPERCALL_INPUT),
        new Case("PostMessage payload_size 241", HvStatus.INVALID_PARAMETER),
        new Case("PostMessage on a connection the root never made", HvStatus.INVALID_CONNECTION_ID),
        new Case("SignalEvent with reserved input bits 48-63", HvStatus.INVALID_HYPERCALL_INPUT),
        new Case("valid GetVpRegisters(VP_INDEX) afterwards", HvStatus.SUCCESS),
    };

    @Test
    void malformedHypercallsGetTheirStatusAndTheGuestAndKernelKeepRunning() throws Exception {
        try (GuestHarness h = new GuestHarness()) {
            LoadedChild bad = h.boot("badcalls");
            h.awaitOutput(bad, "waiting for start", GuestHarness.TIMEOUT);
            long interceptsBefore = h.partition(bad).intercepts().get();

            h.send(bad, "start".getBytes(StandardCharsets.US_ASCII));
            HvMessage report = h.awaitMessage(bad);
            // Any refused PostMessage carries "stray"; the report is the first message that arrives.
            assertEquals((CASES.length + 2) * 2, report.payloadSize(), () -> "report size (a stray message got through?)\n" + h.describe(bad));

            ByteBuffer b = GuestHarness.le(report);
            List<Executable> checks = new ArrayList<>();
            for (Case c : CASES) {
                HvStatus status = new HvStatus(b.getShort());
                checks.add(() -> assertEquals(c.expected(), status, c.what()));
            }
            int vpIndex = b.getShort();
            int bootInfoUnchanged = b.getShort();
            checks.add(() -> assertEquals(0, vpIndex, "VP index read by the valid call"));
            checks.add(() -> assertEquals(1, bootInfoUnchanged, "boot information page unchanged (output to a read-only page was refused)"));
            checks.add(() -> assertEquals(interceptsBefore, h.partition(bad).intercepts().get(), "no intercept: the guest never faulted"));
            assertAll(checks);

            // The same guest still exchanges messages and ends normally.
            h.send(bad, "still there?".getBytes(StandardCharsets.US_ASCII));
            assertEquals("still there?", new String(h.awaitMessage(bad).payload(), StandardCharsets.US_ASCII), "echo after the bad calls");
            h.awaitPowerOff(bad);
            assertFalse(h.pollMessage(bad, Duration.ofMillis(100)).isPresent(), "no stray message was delivered to the root");
            h.destroy(bad);

            // The kernel still boots and runs a fresh guest.
            LoadedChild hello = h.boot("hello");
            assertEquals("hello from guest", new String(h.awaitMessage(hello).payload(), StandardCharsets.US_ASCII));
            h.send(hello, "hello from root".getBytes(StandardCharsets.US_ASCII));
            h.awaitPowerOff(hello);
        }
    }
}
