package dev.parvis.hv.hypercall;

import dev.parvis.hv.backend.BackendChoice;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code F0 0F AB C8} (lock bts eax, ecx) makes libunicorn 2.0.1 and 2.1.4 call abort() in their code
 * generator. The kernel must turn that into the failure of the one partition that ran it: state
 * FAILED with the reason, a PARVIS_PARTITION_FAILED message to the root, while a neighbour keeps
 * running and the JVM (this test) lives on ({@link ContainedFailure}).
 */
class EmulatorAbortFailsOnlyItsPartitionTest {
    /** mov eax, 1; mov ecx, 3; lock bts eax, ecx; hlt. */
    private static final byte[] HOSTILE = {(byte) 0xB8, 1, 0, 0, 0, (byte) 0xB9, 3, 0, 0, 0,
            (byte) 0xF0, 0x0F, (byte) 0xAB, (byte) 0xC8, (byte) 0xF4};

    @Test
    void anAbortingInstructionFailsItsPartitionAndTheNeighbourKeepsCounting() throws Exception {
        Assumptions.assumeTrue(KernelRig.backend() == BackendChoice.UNICORN,
                "the abort is libunicorn's; on KVM the processor raises #UD for a LOCK on a register operand");
        try (KernelRig rig = new KernelRig(2)) {
            long neighbour = rig.childRunning(ContainedFailure.COUNTER, 1, id -> { });
            long before = ContainedFailure.awaitCounterAbove(rig, neighbour, 0);
            long hostile = rig.childRunning(HOSTILE, 1, id -> { });
            ContainedFailure.assertContained(rig, neighbour, before, hostile, "SIGABRT");
        }
    }
}
