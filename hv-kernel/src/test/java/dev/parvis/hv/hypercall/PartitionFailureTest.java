package dev.parvis.hv.hypercall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.abi.hv.HvCallCode;
import dev.parvis.abi.hv.HvMessage;
import dev.parvis.abi.hv.HvMessageType;
import dev.parvis.abi.hv.HypercallControl;
import dev.parvis.abi.hv.message.PartitionFailedMessage;
import dev.parvis.hv.vp.PartitionRunner;
import dev.parvis.vmcore.RootSynic;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An error escaping one partition's exit handling on the only LP (out of memory, stack overflow)
 * fails that partition with the reason and tells the root, and the LP goes on serving the others.
 */
class PartitionFailureTest {
    private static final long COUNTER_GPA = (KernelRig.CODE_GPN + 1) << 12;
    /** inc qword [COUNTER_GPA]; jmp back */
    private static final byte[] COUNT = {0x48, (byte) 0xFF, 0x04, 0x25, 0x00, 0x10, 0x10, 0x00, (byte) 0xEB, (byte) 0xF6};

    private final KernelRig rig = new KernelRig(1);

    @AfterEach
    void close() {
        rig.close();
    }

    static Stream<Arguments> errors() {
        return Stream.of(Arguments.of("OutOfMemoryError", (Supplier<Error>) () -> new OutOfMemoryError("Java heap space")),
                Arguments.of("StackOverflowError", (Supplier<Error>) StackOverflowError::new));
    }

    /** mov rcx, NotifyLongSpinWait (fast); xor edx, edx; call the hypercall page; jmp back */
    private static byte[] spinWaitLoop() {
        long control = HypercallControl.simple(HvCallCode.NOTIFY_LONG_SPIN_WAIT).withFast().encode();
        ByteBuffer b = ByteBuffer.allocate(19).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x48, (byte) 0xB9}).putLong(control);
        b.put(new byte[] {0x31, (byte) 0xD2});
        KernelRig.callHypercallPage(b);
        b.put(new byte[] {(byte) 0xEB, (byte) -(b.position() + 2)});
        return b.array();
    }

    private long counter(long id) {
        return ByteBuffer.wrap(rig.hc.readGpa(id, COUNTER_GPA, 8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errors")
    void anErrorInOnePartitionsExitHandlingFailsOnlyThatPartition(String name, Supplier<Error> error) throws Exception {
        long[] hostile = {-1};
        rig.hv.dispatcher().register(HvCallCode.NOTIFY_LONG_SPIN_WAIT, 0, ctx -> {
            if (ctx.caller().id() == hostile[0]) {
                throw error.get();
            }
            return ctx.ok();
        });
        long counting = rig.childRunning(COUNT, 1, id -> { });
        hostile[0] = rig.childRunning(spinWaitLoop(), 0, id -> { });

        HvMessage report = rig.hv.rootSynic().take(RootSynic.INTERCEPT_SINT, Duration.ofSeconds(10)).orElseThrow();
        assertEquals(hostile[0], report.sender());
        assertEquals(HvMessageType.PARVIS_PARTITION_FAILED, report.type());
        String reported = PartitionFailedMessage.read(MemorySegment.ofArray(report.payload())).reason();
        String failure = rig.hv.partitions().get(hostile[0]).failureReason();
        assertNotNull(failure);
        assertTrue(failure.contains(name), failure);
        assertTrue(failure.startsWith(PartitionRunner.HYPERVISOR_FAILURE), failure);
        assertTrue(!reported.isEmpty() && failure.startsWith(reported), "the root is told the reason (cut to fit): " + reported);
        long calls = rig.vp(hostile[0]).hypercallCount();
        assertTrue(calls >= 1, "the failing partition ran");

        long before = counter(counting);
        KernelRig.await(() -> counter(counting) > before + 1_000, "the other partition to keep running on the only LP");
        assertEquals(calls, rig.vp(hostile[0]).hypercallCount(), "the failed partition never ran again");
    }
}
