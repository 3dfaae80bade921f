package dev.parvis.hv.hypercall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.abi.boot.BootProtocol;
import dev.parvis.abi.hv.HvInterceptType;
import dev.parvis.abi.hv.HvMessage;
import dev.parvis.abi.hv.HvMessageType;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.vmcore.RootSynic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Intercept reports travel in each child's own share of the root's intercept queue: one child's full
 * share neither loses its report (the VP stays suspended until the root has room for it, as Hyper-V
 * keeps a VP suspended until its intercept is delivered) nor delays another child's.
 */
class InterceptDeliveryTest {
    /** mov dx, 0x604; mov ax, 0x2000; out dx, ax; hlt */
    private static final byte[] POWER_OFF = {0x66, (byte) 0xBA, 0x04, 0x06, 0x66, (byte) 0xB8, 0x00, 0x20, 0x66, (byte) 0xEF, (byte) 0xF4};

    private final KernelRig rig = new KernelRig(1);

    @AfterEach
    void close() {
        rig.close();
    }

    private long poweringOff() {
        return rig.childRunning(POWER_OFF, 0, id -> rig.hc.installIntercept(id, HvInterceptType.ACCESS_WRITE,
                HvInterceptType.X64_IO_PORT, BootProtocol.POWER_OFF_PORT));
    }

    @Test
    void aChildWhoseShareIsFullKeepsItsReportUntilThereIsRoomWhileAnotherChildsGetsThrough() throws Exception {
        long first = rig.hc.createPartition(0);
        rig.hc.deletePartition(first);
        long flooded = first + 1; // the next partition id: its share is filled before it even runs
        int depth = rig.hv.rootInbox().perChildDepth();
        HvMessage filler = new HvMessage(new HvMessageType(1), (byte) 0, flooded, new byte[] {1});
        for (int i = 0; i < depth; i++) {
            assertEquals(HvStatus.SUCCESS, rig.hv.rootInbox().postMessage(flooded, RootSynic.INTERCEPT_SINT, filler));
        }
        assertEquals(flooded, poweringOff());
        KernelRig.await(() -> rig.hv.interceptReporter().undeliveredCount(flooded) == 1, "the flooded child's report to be held");
        assertTrue(rig.vp(flooded).interceptSuspended(), "its VP stays suspended meanwhile");

        long other = poweringOff();
        KernelRig.await(() -> rig.hv.rootInbox().queued(RootSynic.INTERCEPT_SINT, other) == 1, "the other child's report");
        List<HvMessage> taken = new ArrayList<>();
        taken.add(rig.hv.rootSynic().take(RootSynic.INTERCEPT_SINT, Duration.ofSeconds(1)).orElseThrow());
        taken.add(rig.hv.rootSynic().take(RootSynic.INTERCEPT_SINT, Duration.ofSeconds(1)).orElseThrow());
        assertTrue(taken.stream().anyMatch(m -> m.sender() == other && m.type().equals(HvMessageType.X64_IO_PORT_INTERCEPT)),
                "the other child's report comes within the first two, not after the flood");

        HvMessage last = null;
        for (int i = 0; i < depth; i++) {
            last = rig.hv.rootSynic().take(RootSynic.INTERCEPT_SINT, Duration.ofSeconds(1)).orElseThrow();
        }
        assertEquals(HvMessageType.X64_IO_PORT_INTERCEPT, last.type(), "the held report arrives behind the filler, in order");
        assertEquals(flooded, last.sender());
        assertEquals(0, rig.hv.interceptReporter().undeliveredCount(flooded));
    }
}
