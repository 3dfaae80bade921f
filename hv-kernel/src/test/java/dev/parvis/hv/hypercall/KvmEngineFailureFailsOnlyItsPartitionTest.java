package dev.parvis.hv.hypercall;

import dev.parvis.hv.backend.BackendChoice;
import dev.parvis.hv.backend.VpEngine;
import dev.parvis.hv.backend.kvm.KvmEngineFaults;
import java.util.function.Consumer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * When KVM itself refuses a VP (KVM_RUN fails, or KVM rejects the register state an entry loads), the partition fails exactly as a partition whose unicorn engine aborted does
 * ({@link ContainedFailure}): FAILED with the reason, reported to the root, while a neighbour on the
 * same hypervisor keeps counting.
 */
class KvmEngineFailureFailsOnlyItsPartitionTest {
    @Test
    void aFailedKvmRunFailsItsPartitionAndTheNeighbourKeepsCounting() throws Exception {
        failOne(KvmEngineFaults::failNextRun, "KVM_RUN failed: errno 22");
    }

    @Test
    void anEntryStateKvmRefusesFailsItsPartitionAndTheNeighbourKeepsCounting() throws Exception {
        failOne(KvmEngineFaults::refuseNextEntryState, "KVM_SET_SREGS failed: errno 22");
    }

    /** Both partitions count; then {@code fault} is applied to one of them by its owner. */
    private static void failOne(Consumer<VpEngine> fault, String reason) throws Exception {
        Assumptions.assumeTrue(KernelRig.backend() == BackendChoice.KVM, "KVM's own failures; unicorn's are EmulatorAbortFailsOnlyItsPartitionTest");
        try (KernelRig rig = new KernelRig(2)) {
            long neighbour = rig.childRunning(ContainedFailure.COUNTER, 1, id -> { });
            long victim = rig.childRunning(ContainedFailure.COUNTER, 1, id -> { });
            long before = ContainedFailure.awaitCounterAbove(rig, neighbour, 0);
            ContainedFailure.awaitCounterAbove(rig, victim, 0);
            var runner = rig.hv.partitions().get(victim).runner();
            runner.execute(() -> {
                fault.accept(rig.vp(victim).engine());
                return null;
            });
            ContainedFailure.assertContained(rig, neighbour, before, victim, reason);
        }
    }
}
