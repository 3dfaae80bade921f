package dev.parvis.hv.backend.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.parvis.hv.backend.VpExit;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A kick is a pending flag plus {@code kvm_run.immediate_exit}, written by the kicking thread in
 * that order. A VP that consumes the kick between the two stores is left with immediate_exit set
 * and nothing pending: every later KVM_RUN would return at once, each run would end Cancelled, and
 * the guest would never execute again (the hypercall-fuzz stall on KVM). The next entry must clear
 * such a left-over.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KvmKickTest {
    /** loop: out %al, $0x80; jmp loop (a port the test's intercepts refuse: one IoPortWrite exit per pass). */
    private static final byte[] PORT_LOOP = {(byte) 0xB0, 0x2A, (byte) 0xE6, (byte) 0x80, (byte) 0xEB, (byte) 0xFC};
    private static final VpExit PORT_WRITE = new VpExit.IoPortWrite(0x80, 1, 0x2A);

    @ParameterizedTest
    @EnumSource(PrivilegeMode.class)
    void anImmediateExitLeftSetByAKickAlreadyConsumedDoesNotStopTheGuestForGood(PrivilegeMode mode) {
        try (KvmTestGuest g = new KvmTestGuest(mode, PORT_LOOP)) {
            assertEquals(PORT_WRITE, g.engine.run());
            // The state the race leaves: the kick was consumed (nothing pending), then its store landed.
            ((KvmEngine) g.engine).vcpu().runArea().set(ValueLayout.JAVA_BYTE, KvmAbi.RUN_IMMEDIATE_EXIT, (byte) 1);
            assertEquals(PORT_WRITE, firstNonCancelled(g, 3), "the guest ran again");
        }
    }

    /**
     * The fuzz guest's pattern with real threads: the VP kicks itself (HvCallNotifyLongSpinWait) and
     * runs again, while another thread re-kicks every pending kick it sees (as the preempter does).
     * After each self-kick the guest must reach its next exit within a few runs.
     */
    @ParameterizedTest
    @EnumSource(PrivilegeMode.class)
    void aPendingKickRepeatedByAnotherThreadNeverLeavesTheGuestStopped(PrivilegeMode mode) throws Exception {
        try (KvmTestGuest g = new KvmTestGuest(mode, PORT_LOOP)) {
            java.util.concurrent.atomic.AtomicBoolean on = new java.util.concurrent.atomic.AtomicBoolean(true);
            // The re-kicker looks every 20 us, as a preempter does at its tick, not in a busy loop: a
            // loop that signals as fast as it can outruns a loaded host (a full-suite run spent 27 min
            // of system time in it). The passes stop at 3,000 or after 15 s, whichever comes first.
            Thread preempter = Thread.ofPlatform().start(() -> {
                while (on.get()) {
                    if (g.engine.kickPending()) {
                        g.engine.kick();
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(20_000);
                }
            });
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(15);
            try {
                for (int i = 0; i < 3_000 && System.nanoTime() - deadline < 0; i++) {
                    g.engine.kick();
                    assertEquals(PORT_WRITE, firstNonCancelled(g, 50), "pass " + i + ": the guest ran again");
                }
            } finally {
                on.set(false);
                preempter.join();
            }
        }
    }

    /** The first exit other than Cancelled within {@code runs} runs (a kick still pending ends one run). */
    private static VpExit firstNonCancelled(KvmTestGuest g, int runs) {
        VpExit exit = null;
        for (int i = 0; i < runs; i++) {
            exit = g.engine.run();
            if (!(exit instanceof VpExit.Cancelled)) {
                return exit;
            }
        }
        return exit;
    }
}
