package dev.parvis.e2e.vm;

import dev.parvis.e2e.BackendUnderTest;
import static dev.parvis.e2e.vm.VmFixture.await;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.e2e.OnEachBackend;
import dev.parvis.hv.HypervisorConfig;
import dev.parvis.root.config.CpuControls;
import dev.parvis.root.config.VmConfig;
import dev.parvis.root.vm.VmManagementService;
import dev.parvis.root.vm.VmState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance: on a hypervisor with one logical processor, two busy counter VMs, one limited to 25%
 * of an LP (weight 100, reserve 0, limit 25) and one unlimited. Of the LP time the two got over a
 * 5 s window, by the kernel's own accounting (VmManagementService.metrics: the LP thread's CPU
 * clock, so time the host took from the LP is in neither), the limited VM has 20..30% and the other
 * the rest (at least 65%).
 */
@OnEachBackend
class VmCpuLimitTest {
    private static final Duration WINDOW = Duration.ofSeconds(5);

    @TempDir
    Path dataDir;

    @Test
    void aVmLimitedTo25PercentGetsAQuarterOfTheOnlyLpAndTheUnlimitedVmTheRest() throws Exception {
        HypervisorConfig oneLp = BackendUnderTest.config(96L << 20, HypervisorConfig.DEFAULT_RUN_SLICE)
                .withLogicalProcessors(1);
        try (VmFixture f = new VmFixture(dataDir, oneLp)) {
            VmManagementService s = f.service;
            UUID limited = s.create(VmFixture.counterVm("limited-25", 16).withCpu(new CpuControls(100, 0, 25))).id();
            UUID unlimited = s.create(VmFixture.counterVm("unlimited", 16)).id();
            assertInstanceOf(VmState.Running.class, await(s.start(limited)));
            assertInstanceOf(VmState.Running.class, await(s.start(unlimited)));
            // Both guests are up and counting before the window opens.
            f.awaitCounterAbove(limited, f.counterGpa(limited), 1000);
            f.awaitCounterAbove(unlimited, f.counterGpa(unlimited), 1000);

            long limitedBefore = s.metrics(limited).cpuTime().toNanos();
            long unlimitedBefore = s.metrics(unlimited).cpuTime().toNanos();
            long start = System.nanoTime();
            Thread.sleep(WINDOW.toMillis());
            long limitedCpu = s.metrics(limited).cpuTime().toNanos() - limitedBefore;
            long unlimitedCpu = s.metrics(unlimited).cpuTime().toNanos() - unlimitedBefore;
            long wall = System.nanoTime() - start;

            long lpTime = limitedCpu + unlimitedCpu;
            assertTrue(lpTime > 0, "the VMs ran in the window");
            double limitedShare = 100.0 * limitedCpu / lpTime;
            double unlimitedShare = 100.0 * unlimitedCpu / lpTime;
            System.out.printf("cpu limit: over %.2f s on 1 LP (%d ms of LP CPU time), limited-25 got %.1f%% (%d ms), unlimited %.1f%% (%d ms)%n",
                    wall / 1e9, lpTime / 1_000_000, limitedShare, limitedCpu / 1_000_000, unlimitedShare, unlimitedCpu / 1_000_000);
            assertTrue(limitedShare >= 20 && limitedShare <= 30,
                    "the VM limited to 25%% got %.1f%% of the LP".formatted(limitedShare));
            assertTrue(unlimitedShare >= 65, "the unlimited VM got %.1f%% of the LP".formatted(unlimitedShare));

            await(s.turnOff(limited));
            await(s.turnOff(unlimited));
        }
    }
}
