package dev.parvis.e2e.vm;

import static dev.parvis.e2e.vm.VmFixture.await;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.abi.hv.HvCallCode;
import dev.parvis.abi.hv.HvPartitionPrivilege;
import dev.parvis.e2e.OnEachBackend;
import dev.parvis.root.vm.VmState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When the hypervisor cannot go on running a VM's partition (here: its debug output handling runs
 * out of memory), that VM ends Failed with the hypervisor's reason, and a VM beside it keeps running.
 */
@OnEachBackend
class HypervisorFailureFailsOnlyThatVmTest {
    @TempDir
    Path dataDir;

    @Test
    void aVmWhosePartitionTheHypervisorCannotRunEndsFailedWithTheReasonAndTheOtherRunsOn() throws Exception {
        try (VmFixture f = new VmFixture(dataDir, 128L << 20)) {
            UUID bystander = f.service.create(VmFixture.counterVm("bystander", 8)).id();
            assertInstanceOf(VmState.Running.class, await(f.service.start(bystander)));
            long gpa = f.counterGpa(bystander);
            f.awaitCounterAbove(bystander, gpa, 0);

            // From now on handling HvCallPostDebugData fails inside the kernel, as an exhausted heap would.
            f.hv.dispatcher().register(HvCallCode.POST_DEBUG_DATA, HvPartitionPrivilege.DEBUGGING, ctx -> {
                throw new OutOfMemoryError("Java heap space (test)");
            });
            UUID victim = f.service.create(VmFixture.counterVm("victim", 8)).id();
            await(f.service.start(victim)); // the counter guest prints a line as it starts
            long deadline = System.nanoTime() + VmFixture.TIMEOUT.toNanos();
            while (!(f.service.get(victim).orElseThrow().state() instanceof VmState.Failed) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            VmState state = f.service.get(victim).orElseThrow().state();
            assertInstanceOf(VmState.Failed.class, state);
            String reason = ((VmState.Failed) state).reason();
            assertTrue(reason.contains("OutOfMemoryError"), reason);

            long now = f.counter(bystander, gpa);
            f.awaitCounterAbove(bystander, gpa, now + 1_000);
            assertInstanceOf(VmState.Running.class, f.service.get(bystander).orElseThrow().state());
            assertInstanceOf(VmState.Off.class, await(f.service.turnOff(bystander)));
        }
    }
}
