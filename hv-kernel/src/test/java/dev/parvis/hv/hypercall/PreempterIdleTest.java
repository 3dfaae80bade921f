package dev.parvis.hv.hypercall;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.hv.vp.VpPreempter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The preempter ticks while a guest runs and sleeps while nothing does: an idle host is left alone. */
@Timeout(60)
class PreempterIdleTest {
    /** jmp $ */
    private static final byte[] SPIN = {(byte) 0xeb, (byte) 0xfe};

    private final KernelRig rig = new KernelRig(2);

    @AfterEach
    void close() {
        rig.close();
    }

    @Test
    void thePreempterTicksWhileAGuestRunsAndSleepsOnceNoneDoes() throws Exception {
        VpPreempter preempter = rig.hv.preempter();
        long child = rig.childRunning(SPIN, 0, id -> { });
        long whileRunning = preempter.ticks();
        KernelRig.await(() -> preempter.ticks() - whileRunning >= 20, "the preempter to tick while the guest spins");

        rig.hc.deletePartition(child);
        KernelRig.await(() -> rig.hv.logicalProcessors().idleCount() == 2, "both LPs to go idle");
        long idle = preempter.ticks();
        Thread.sleep(300);
        long ticked = preempter.ticks() - idle;
        assertTrue(ticked <= 1, ticked + " ticks in 300 ms with no guest running (600 at one per 500 us)");
    }
}
