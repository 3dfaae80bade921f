package dev.parvis.hv.hypercall;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.hv.vp.LogicalProcessors;
import dev.parvis.hv.vp.VirtualProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The LPs wake one another only for work: a guest that halts after every wake-up (as one waiting
 * for its I/O does) costs the host one LP's wake-up per wake, not a second LP's too.
 */
@Timeout(60)
class LpWakeupsTest {
    /** hlt; jmp back to it */
    private static final byte[] HALT_LOOP = {(byte) 0xF4, (byte) 0xEB, (byte) 0xFD};
    private static final int ROUNDS = 200;

    private final KernelRig rig = new KernelRig(2);

    @AfterEach
    void close() {
        rig.close();
    }

    @Test
    void aVpThatHaltsAfterEachWakeUpWakesNoIdleLpForNothing() throws Exception {
        LogicalProcessors lps = rig.hv.logicalProcessors();
        VirtualProcessor vp = rig.vp(rig.childRunning(HALT_LOOP, 0, id -> { }));
        KernelRig.await(() -> vp.isHalted() && lps.idleCount() == 2, "the guest's first HLT, both LPs idle");
        long emptyBefore = lps.emptyWakeups();
        long exitsBefore = vp.exitCount();
        for (int i = 0; i < ROUNDS; i++) {
            long exits = vp.exitCount();
            vp.wake();
            // Both LPs idle again: the one that ran the VP has released it and looked for more work.
            KernelRig.await(() -> vp.exitCount() > exits && vp.isHalted() && lps.idleCount() == 2,
                    "the VP to run to its next HLT and its LP to go idle");
        }
        assertTrue(vp.exitCount() - exitsBefore >= ROUNDS, "the guest ran once per wake-up");
        long empty = lps.emptyWakeups() - emptyBefore;
        assertTrue(empty <= ROUNDS / 20, empty + " wake-ups of an LP that found nothing to run, over " + ROUNDS
                + " wake-ups of the guest (one per release would be " + ROUNDS + ")");
    }
}
