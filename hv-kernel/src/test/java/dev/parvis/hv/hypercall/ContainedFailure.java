package dev.parvis.hv.hypercall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.abi.hv.HvMessage;
import dev.parvis.abi.hv.HvMessageType;
import dev.parvis.abi.hv.HvRegisterName;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.abi.hv.message.PartitionFailedMessage;
import dev.parvis.hv.partition.Partition;
import dev.parvis.hv.partition.PartitionState;
import dev.parvis.vmcore.HypercallFailedException;
import dev.parvis.vmcore.RootSynic;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Optional;

/**
 * What a contained execution-engine failure looks like, whatever the backend: the partition ends
 * FAILED with the reason, the root gets a PARVIS_PARTITION_FAILED message carrying it, the failed
 * partition refuses register access and can be deleted, and a neighbour counting in its own RAM
 * keeps counting throughout.
 */
final class ContainedFailure {
    /** loop: add qword [0x101000], 1; jmp loop. */
    static final byte[] COUNTER = {0x48, (byte) 0x83, 0x04, 0x25, 0x00, 0x10, 0x10, 0x00, 0x01, (byte) 0xEB, (byte) 0xF5};

    private ContainedFailure() {}

    /**
     * Checks the failure of {@code failing} (whose reason must contain {@code reasonFragment}) while
     * {@code neighbour} runs COUNTER, which counted at least to {@code before} earlier.
     */
    static void assertContained(KernelRig rig, long neighbour, long before, long failing, String reasonFragment) throws Exception {
        Partition failed = rig.hv.partitions().get(failing);
        KernelRig.await(() -> failed.state() == PartitionState.FAILED, "partition " + failing + " to fail");
        assertTrue(failed.failureReason().contains(reasonFragment), failed.failureReason());

        HvMessage report = awaitIntercept(rig, failing);
        assertEquals(HvMessageType.PARVIS_PARTITION_FAILED, report.type());
        String reported = PartitionFailedMessage.read(MemorySegment.ofArray(report.payload())).reason();
        assertTrue(reported.contains(reasonFragment), "reported to the root: " + reported);
        System.out.println("contained: " + failed.failureReason());

        long after = awaitCounterAbove(rig, neighbour, before);
        assertTrue(after > before, "the neighbour made progress after the failure");
        // The failed partition has no register state left, and refuses politely; deleting it works.
        HypercallFailedException refused = assertThrows(HypercallFailedException.class,
                () -> rig.hc.getVpRegister(failing, 0, HvRegisterName.RIP));
        assertEquals(HvStatus.INVALID_PARTITION_STATE, refused.status());
        rig.hc.deletePartition(failing);
        assertEquals(PartitionState.DELETED, failed.state());
        awaitCounterAbove(rig, neighbour, after);
    }

    static long counter(KernelRig rig, long id) {
        return ByteBuffer.wrap(rig.hc.readGpa(id, 0x101000, 8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    static long awaitCounterAbove(KernelRig rig, long id, long floor) throws InterruptedException {
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
