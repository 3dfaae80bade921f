package dev.parvis.e2e;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.hv.backend.BackendCapability;
import dev.parvis.root.loader.LoadedChild;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A guest with four VPs, started by the guest itself through HvCallStartVirtualProcessor, increments
 * shared counters with lock xadd: the totals are exact and every value xadd returned was returned
 * once, on either backend. Where the backend runs a partition's VPs in parallel (KVM) they really
 * ran at the same time on different logical processors; on unicorn they took turns.
 */
@OnEachBackend
@Timeout(120)
class MultiVpAtomicsTest {
    private static final int VPS = 4;
    private static final long ROUNDS = 400_000;

    @Test
    void fourVpsIncrementingSharedCountersWithLockXaddGetTheExactTotal() throws Exception {
        try (GuestHarness h = new GuestHarness()) {
            LoadedChild guest = h.boot("atomics", GuestHarness.GUEST_RAM, VPS, id -> { });
            h.awaitOutput(guest, "waiting for {rounds}", GuestHarness.TIMEOUT);
            long start = System.nanoTime();
            h.send(guest, GuestHarness.u64s(ROUNDS));
            ByteBuffer reply = GuestHarness.le(h.awaitMessage(guest, java.time.Duration.ofSeconds(90)));
            long millis = (System.nanoTime() - start) / 1_000_000;
            long vps = reply.getLong();
            long[] counters = {reply.getLong(), reply.getLong(), reply.getLong(), reply.getLong()};
            long sum = reply.getLong();
            long perCounter = VPS * ROUNDS / counters.length;
            // Each counter handed out 0 .. perCounter-1 exactly once.
            long expectedSum = counters.length * (perCounter * (perCounter - 1) / 2);
            boolean parallel = h.hv.backend().capabilities().contains(BackendCapability.PARALLEL_VPS);
            int peak = h.partition(guest).runner().peakParallelVps();
            System.out.printf("atomics on %s: %d VPs x %d lock xadd in %d ms, at most %d VPs at once%n", h.hv.backend().name(), vps, ROUNDS,
                    millis, peak);
            assertAll(
                    () -> assertEquals(VPS, vps, "VPs that took part"),
                    () -> assertEquals(java.util.Collections.nCopies(counters.length, perCounter),
                            java.util.Arrays.stream(counters).boxed().toList(), "every counter exact"),
                    () -> assertEquals(expectedSum, sum, "each value returned by xadd exactly once"));
            if (parallel && h.hv.logicalProcessors().count() > 1) {
                assertTrue(peak >= 2, "VPs of the partition ran on several LPs at once: peak " + peak);
            } else {
                assertEquals(1, peak, "VPs took turns");
            }
            h.awaitPowerOff(guest);
        }
    }
}
