package dev.parvis.hv.hypercall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.abi.hv.HvCallCode;
import dev.parvis.abi.hv.HvConstants;
import dev.parvis.abi.hv.HvPartitionProperty;
import dev.parvis.abi.hv.HvRegisterName;
import dev.parvis.abi.hv.HvStatus;
import dev.parvis.abi.hv.HypercallControl;
import dev.parvis.vmcore.HypercallFailedException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The LP scheduler with hand-assembled busy children: CPU cap and weight shares of the LP time the
 * kernel accounted to them (the LP threads' CPU clock, so time the host takes from an LP counts for
 * nobody; shares of their total, never of wall time), SUSPEND, TIME_FREEZE and REFERENCE_TIME (each
 * "nothing changes" window preceded by a control window in which the same reading advanced), and
 * many partitions on few LPs.
 */
@Timeout(120)
class SchedulingTest {
    /** jmp $ */
    private static final byte[] SPIN = {(byte) 0xeb, (byte) 0xfe};
    private static final long IN_GPA = (KernelRig.CODE_GPN + 1) << 12;
    private static final long OUT_GPA = IN_GPA + 0x800;

    private KernelRig rig;

    @AfterEach
    void close() {
        if (rig != null) {
            rig.close();
        }
    }

    private long busyChild(int cap, int weight) {
        return rig.childRunning(SPIN, 0, id -> {
            if (cap != 0) {
                rig.hc.setPartitionProperty(id, HvPartitionProperty.CPU_CAP, cap);
            }
            rig.hc.setPartitionProperty(id, HvPartitionProperty.CPU_WEIGHT, weight);
        });
    }

    private long cpu(long id) {
        return rig.hv.statistics(id).orElseThrow().cpuNanos();
    }

    private long[] cpu(long... ids) {
        long[] c = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            c[i] = cpu(ids[i]);
        }
        return c;
    }

    /** CPU time each partition got during {@code millis} of wall time, after a short settling time. */
    private long[] cpuOver(long millis, long... ids) throws InterruptedException {
        Thread.sleep(300);
        long[] before = cpu(ids);
        Thread.sleep(millis);
        long[] after = cpu(ids);
        for (int i = 0; i < ids.length; i++) {
            after[i] -= before[i];
        }
        return after;
    }

    @Test
    void aPartitionCappedAtTwentyFivePercentGetsAQuarterOfTheOnlyLpAndTheOtherTheRest() throws Exception {
        rig = new KernelRig(1);
        long capped = busyChild(25_000, 100);
        long other = busyChild(0, 100);
        long[] d = cpuOver(5_000, capped, other);
        double total = d[0] + d[1];
        double cappedShare = d[0] / total;
        double otherShare = d[1] / total;
        System.out.printf("cap 25%%: capped %.1f%%, other %.1f%% of %.0f ms LP time in 5 s%n",
                100 * cappedShare, 100 * otherShare, total / 1e6);
        assertTrue(cappedShare >= 0.20 && cappedShare <= 0.30, "capped share " + cappedShare);
        assertTrue(otherShare >= 0.65, "other share " + otherShare);
    }

    @Test
    void weightsOneHundredAgainstThreeHundredShareOneLpAboutOneToThree() throws Exception {
        rig = new KernelRig(1);
        long light = busyChild(0, 100);
        long heavy = busyChild(0, 300);
        long[] d = cpuOver(3_000, light, heavy);
        double lightShare = (double) d[0] / (d[0] + d[1]);
        System.out.printf("weights 100:300: light %.1f%%, heavy %.1f%%%n", 100 * lightShare, 100 * (1 - lightShare));
        assertEquals(0.25, lightShare, 0.08, "light share");
    }

    @Test
    void suspendStopsARunningPartitionAndResumeContinuesIt() throws Exception {
        rig = new KernelRig(1);
        long id = busyChild(0, 100);
        KernelRig.await(() -> cpu(id) > 20_000_000L, "the child to run");
        long controlStart = cpu(id);
        Thread.sleep(300);
        assertTrue(cpu(id) > controlStart, "control window: the child's CPU time advances in 300 ms while it runs");
        rig.hc.setPartitionProperty(id, HvPartitionProperty.SUSPEND, 1);
        assertTrue(rig.hv.partitions().get(id).isSuspended());
        assertEquals(1, rig.hc.getPartitionProperty(id, HvPartitionProperty.SUSPEND));
        long frozen = cpu(id);
        Thread.sleep(300);
        assertEquals(frozen, cpu(id), "no CPU time while suspended");
        rig.hc.setPartitionProperty(id, HvPartitionProperty.SUSPEND, 0);
        KernelRig.await(() -> cpu(id) > frozen + 20_000_000L, "the child to continue");
    }

    /** Loops HvCallGetVpRegisters(self, TIME_REF_COUNT) with its output at {@link #OUT_GPA}. */
    private static byte[] timeReader() {
        long control = HypercallControl.rep(HvCallCode.GET_VP_REGISTERS, 1).encode();
        ByteBuffer b = ByteBuffer.allocate(37).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x48).put((byte) 0xb9).putLong(control);   // mov rcx, control
        b.put((byte) 0x48).put((byte) 0xba).putLong(IN_GPA);    // mov rdx, input
        b.put((byte) 0x49).put((byte) 0xb8).putLong(OUT_GPA);   // mov r8, output
        KernelRig.callHypercallPage(b);                         // call the hypercall page
        b.put((byte) 0xeb).put((byte) -37);                     // jmp start
        return b.array();
    }

    private long guestTime(long id) {
        return ByteBuffer.wrap(rig.hc.readGpa(id, OUT_GPA, 8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    @Test
    void timeFreezeStopsTheGuestsReferenceTimeAndASetTimeContinuesFromTheValueSet() throws Exception {
        rig = new KernelRig(1);
        ByteBuffer in = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
        in.putLong(HvConstants.PARTITION_ID_SELF).putInt(HvConstants.VP_INDEX_SELF).putInt(0).putInt(HvRegisterName.TIME_REF_COUNT.raw());
        long id = rig.childRunning(timeReader(), 1, child -> {
            for (int off = 0; off < in.capacity(); off += 4) {
                rig.hc.writeGpa(child, IN_GPA + off, java.util.Arrays.copyOfRange(in.array(), off, off + 4));
            }
        });
        KernelRig.await(() -> guestTime(id) > 0, "the guest to read its reference time");
        long controlTime = guestTime(id);
        Thread.sleep(100);
        assertTrue(guestTime(id) > controlTime, "control window: the time the guest reads advances in 100 ms");
        assertEquals(HvStatus.INVALID_PARTITION_STATE, status(() -> rig.hc.setPartitionProperty(id, HvPartitionProperty.REFERENCE_TIME, 5)),
                "setting the time needs a frozen clock");

        rig.hc.setPartitionProperty(id, HvPartitionProperty.TIME_FREEZE, 1);
        long atFreeze = rig.hc.getPartitionProperty(id, HvPartitionProperty.REFERENCE_TIME);
        KernelRig.await(() -> guestTime(id) == atFreeze, "the guest to see the frozen time");
        Thread.sleep(100);
        assertEquals(atFreeze, guestTime(id), "frozen time does not advance");

        long restored = 987_654_321L;
        rig.hc.setPartitionProperty(id, HvPartitionProperty.REFERENCE_TIME, restored);
        KernelRig.await(() -> guestTime(id) == restored, "the guest to read the time set");
        assertEquals(restored, rig.hc.getPartitionProperty(id, HvPartitionProperty.REFERENCE_TIME));
        rig.hc.setPartitionProperty(id, HvPartitionProperty.TIME_FREEZE, 0);
        KernelRig.await(() -> guestTime(id) > restored, "the thawed time to continue");
        long afterThaw = guestTime(id);
        assertTrue(afterThaw - restored < 100_000_000L, "continues from the value set, not from host time: " + afterThaw);
    }

    @Test
    void twentyBusyPartitionsOnTwoLpsAllMakeProgress() throws Exception {
        rig = new KernelRig(2);
        long[] ids = new long[20];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = busyChild(0, 100);
        }
        long[] d = cpuOver(2_000, ids);
        long total = 0;
        for (long x : d) {
            total += x;
        }
        List<String> slow = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            if (d[i] < total / ids.length / 3) {
                slow.add(ids[i] + ": " + d[i] / 1_000_000 + " ms");
            }
        }
        System.out.printf("20 partitions on 2 LPs: %d ms LP time in 2 s, each %d..%d ms%n", total / 1_000_000,
                java.util.Arrays.stream(d).min().orElse(0) / 1_000_000, java.util.Arrays.stream(d).max().orElse(0) / 1_000_000);
        assertTrue(slow.isEmpty(), "partitions far below a fair share: " + slow);
        long lpThreads = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("parvis-lp-")).count();
        assertTrue(lpThreads >= 2, "LP threads alive: " + lpThreads);
    }

    @Test
    void cpuControlsOutOfRangeAreRefusedAndValidOnesReadBack() {
        rig = new KernelRig(1);
        long id = rig.initializedChild();
        assertEquals(HvStatus.PROPERTY_VALUE_OUT_OF_RANGE, status(() -> rig.hc.setPartitionProperty(id, HvPartitionProperty.CPU_WEIGHT, 0)));
        assertEquals(HvStatus.PROPERTY_VALUE_OUT_OF_RANGE, status(() -> rig.hc.setPartitionProperty(id, HvPartitionProperty.CPU_WEIGHT, 10_001)));
        assertEquals(HvStatus.PROPERTY_VALUE_OUT_OF_RANGE, status(() -> rig.hc.setPartitionProperty(id, HvPartitionProperty.CPU_CAP, 100_001)));
        assertEquals(HvStatus.PROPERTY_VALUE_OUT_OF_RANGE, status(() -> rig.hc.setPartitionProperty(id, HvPartitionProperty.CPU_RESERVE, -1)));
        assertEquals(HvStatus.PROPERTY_VALUE_OUT_OF_RANGE, status(() -> rig.hc.setPartitionProperty(id, HvPartitionProperty.SUSPEND, 2)));
        assertEquals(HvStatus.PROPERTY_VALUE_OUT_OF_RANGE, status(() -> rig.hc.setPartitionProperty(id, HvPartitionProperty.TIME_FREEZE, 7)));
        assertEquals(100, rig.hc.getPartitionProperty(id, HvPartitionProperty.CPU_WEIGHT));
        rig.hc.setPartitionProperty(id, HvPartitionProperty.CPU_WEIGHT, 250);
        rig.hc.setPartitionProperty(id, HvPartitionProperty.CPU_RESERVE, 10_000);
        rig.hc.setPartitionProperty(id, HvPartitionProperty.CPU_CAP, 50_000);
        assertEquals(250, rig.hc.getPartitionProperty(id, HvPartitionProperty.CPU_WEIGHT));
        assertEquals(10_000, rig.hc.getPartitionProperty(id, HvPartitionProperty.CPU_RESERVE));
        assertEquals(50_000, rig.hc.getPartitionProperty(id, HvPartitionProperty.CPU_CAP));
        rig.hc.setPartitionProperty(id, HvPartitionProperty.CPU_CAP, 100_000);
        assertEquals(0, rig.hc.getPartitionProperty(id, HvPartitionProperty.CPU_CAP), "100 % is no cap");
    }

    private static HvStatus status(Runnable call) {
        return assertThrows(HypercallFailedException.class, call::run).status();
    }
}
