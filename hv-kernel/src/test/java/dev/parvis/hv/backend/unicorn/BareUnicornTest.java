package dev.parvis.hv.backend.unicorn;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The benchmark baseline harness. */
class BareUnicornTest {
    private static final int RCX = 38;

    @Test
    void registerLoopRunsToHaltWithoutHooks() {
        assumeTrue(UnicornLibrary.isAvailable());
        // mov rcx, 1000000; dec rcx; jnz -5; hlt
        try (BareUnicorn bare = BareUnicorn.withoutHooks(UnicornEngineTest.code("48 C7 C1 40 42 0F 00 48 FF C9 75 FB F4"), 0x4000)) {
            BareUnicorn.Run run = bare.run();
            assertEquals(0, run.traps());
            assertTrue(run.nanos() > 0);
            assertEquals(0, bare.register(RCX));
        }
    }

    @Test
    void eachVmcallIsOneEmptyTrapAndTheLoopResumesAfterIt() {
        assumeTrue(UnicornLibrary.isAvailable());
        // mov ecx, 1000; L: vmcall; dec ecx; jnz L; hlt
        try (BareUnicorn bare = BareUnicorn.withInvalidOpcodeTrap(UnicornEngineTest.code("B9 E8 03 00 00 0F 01 C1 FF C9 75 F9 F4"), 0x4000)) {
            BareUnicorn.Run run = bare.run();
            assertEquals(1000, run.traps());
            assertEquals(0, bare.register(RCX));
        }
    }
}
