package dev.parvis.hv.hypercall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.abi.hv.HvMessage;
import dev.parvis.abi.hv.HvMessageType;
import dev.parvis.abi.hv.HvRegisterName;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.abi.hv.message.PartitionFailedMessage;
import dev.parvis.hv.backend.BackendChoice;
import dev.parvis.hv.partition.Partition;
import dev.parvis.hv.partition.PartitionState;
import dev.parvis.vmcore.HypercallFailedException;
import dev.parvis.vmcore.RootSynic;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code F0 0F AB C8} (lock bts eax, ecx) makes libunicorn 2.0.1 and 2.1.4 call abort() in their code
 * generator. The kernel must turn that into the failure of the one partition that ran it: state
 * FAILED with the reason, a PARVIS_PARTITION_FAILED message to the root, while a neighbour keeps
 * running and the JVM (this test) lives on.
 */
class EmulatorAbortFailsOnlyItsPartitionTest {
    /** mov eax, 1; mov ecx, 3; lock bts eax, ecx; hlt. */
    private static final byte[] HOSTILE = {(byte) 0xB8, 1, 0, 0, 0, (byte) 0xB9, 3, 0, 0, 0,
            (byte) 0xF0, 0x0F, (byte) 0xAB, (byte) 0xC8, (byte) 0xF4};
    /** loop: add qword [0x101000], 1; jmp loop. */
    private static final byte[] COUNTER = {0x48, (byte) 0x83, 0x04, 0x25, 0x00, 0x10, 0x10, 0x00, 0x01, (byte) 0xEB, (byte) 0xF5};

    @Test
    void anAbortingInstructionFailsItsPartitionAndTheNeighbourKeepsCounting() throws Exception {
        Assumptions.assumeTrue(KernelRig.backend() == BackendChoice.UNICORN,
                "the abort is libunicorn's; on KVM the processor raises #UD for a LOCK on a register operand");
        try (KernelRig rig = new KernelRig(2)) {
            long neighbour = rig.childRunning(COUNTER, 1, id -> { });
            long before = awaitCounterAbove(rig, neighbour, 0);
            long hostile = rig.childRunning(HOSTILE, 1, id -> { });
            Partition failed = rig.hv.partitions().get(hostile);
            KernelRig.await(() -> failed.state() == PartitionState.FAILED, "the hostile partition to fail");
            assertTrue(failed.failureReason().contains("SIGABRT"), failed.failureReason());

            HvMessage report = awaitIntercept(rig, hostile);
            assertEquals(HvMessageType.PARVIS_PARTITION_FAILED, report.type());
            assertEquals(failed.failureReason().substring(0, 40),
                    PartitionFailedMessage.read(MemorySegment.ofArray(report.payload())).reason().substring(0, 40));
            System.out.println("contained: " + failed.failureReason());

            long after = awaitCounterAbove(rig, neighbour, before);
            assertTrue(after > before, "the neighbour made progress after the failure");
            // The failed partition has no register state left, and refuses politely; deleting it works.
            HypercallFailedException refused = assertThrows(HypercallFailedException.class,
                    () -> rig.hc.getVpRegister(hostile, 0, HvRegisterName.RIP));
            assertEquals(HvStatus.INVALID_PARTITION_STATE, refused.status());
            rig.hc.deletePartition(hostile);
            assertEquals(PartitionState.DELETED, failed.state());
            awaitCounterAbove(rig, neighbour, after);
        }
    }

    private static long counter(KernelRig rig, long id) {
        return ByteBuffer.wrap(rig.hc.readGpa(id, 0x101000, 8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static long awaitCounterAbove(KernelRig rig, long id, long floor) throws InterruptedException {
        long[] seen = {0};
        KernelRig.await(() -> (seen[0] = counter(rig, id)) > floor, "partition " + id + "'s counter to pass " + floor);
        return seen[0];
    }

    private static HvMessage awaitIntercept(KernelRig rig, long sender) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            Optional<HvMessage> m = rig.hv.rootSynic().take(RootSynic.INTERCEPT_SINT, Duration.ofMillis(50));
            if (m.isPresent() && m.get().sender() == sender) {
                return m.get();
            }
        }
        throw new AssertionError("no intercept from partition " + sender);
    }
}
