package dev.parvis.hv.backend.unicorn;

import dev.parvis.hv.backend.VpExit;
import dev.parvis.hv.backend.X64Register;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Kicks across threads, and engines running side by side. */
class UnicornKickTest {
    private static final String JMP_SELF = "EB FE";
    /** A guest counter of 8 bytes, read while its engine may be writing it. */
    private static final VarHandle COUNTER = ValueLayout.JAVA_LONG.varHandle();

    /** Kicks until the VP acknowledges, as the kernel does, because uc_emu_stop is not sticky. */
    private static void kickUntilAcknowledged(TestGuest g, Thread vp) {
        g.engine.kick();
        long lastKick = System.nanoTime();
        while (g.engine.kickPending() && vp.isAlive()) {
            if (System.nanoTime() - lastKick > 50_000) {
                g.engine.kick();
                lastKick = System.nanoTime();
            }
            Thread.onSpinWait();
        }
    }

    @Test
    void pendingKickMakesRunReturnCancelledWithoutEntering() {
        try (TestGuest g = new TestGuest(TestGuest.backend(), UnicornEngineTest.code("48 FF C0 F4"))) {
            g.engine.kick();
            assertTrue(g.engine.kickPending());
            assertEquals(new VpExit.Cancelled(), g.engine.run());
            assertFalse(g.engine.kickPending());
            assertEquals(0, g.engine.readRegister(X64Register.RAX), "guest did not run");
            assertEquals(new VpExit.Halt(), g.engine.run());
        }
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void kickFromAnotherThreadStopsAnInfiniteLoopPromptly() throws Exception {
        try (TestGuest g = new TestGuest(TestGuest.backend(), UnicornEngineTest.code(JMP_SELF))) {
            CompletableFuture<VpExit> exit = new CompletableFuture<>();
            Thread vp = Thread.ofPlatform().start(() -> exit.complete(g.engine.run()));
            Thread.sleep(50);
            long start = System.nanoTime();
            kickUntilAcknowledged(g, vp);
            assertEquals(new VpExit.Cancelled(), exit.get(2, TimeUnit.SECONDS));
            long micros = (System.nanoTime() - start) / 1000;
            assertTrue(micros < 1_000_000, "stopped after " + micros + " us");
            assertEquals(TestGuest.CODE, g.rip(), "still at the jmp");
        }
    }

    /**
     * Every kick is acknowledged by a run that returns Cancelled. A re-kick can land after the
     * acknowledgement and end the following run too (a spurious Cancelled, which VpExit allows), so
     * the VP counts runs, not kicks.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void twoThousandKicksInARowEachEndARun() throws Exception {
        int kicks = 2000;
        try (TestGuest g = new TestGuest(TestGuest.backend(), UnicornEngineTest.code(JMP_SELF))) {
            AtomicInteger runsEnded = new AtomicInteger();
            AtomicBoolean done = new AtomicBoolean();
            AtomicReference<Object> unexpected = new AtomicReference<>();
            Thread vp = Thread.ofPlatform().name("vp0").start(() -> {
                try {
                    while (!done.get()) {
                        VpExit exit = g.engine.run();
                        if (!(exit instanceof VpExit.Cancelled)) {
                            unexpected.set(exit + " after " + runsEnded.get() + " runs");
                            return;
                        }
                        runsEnded.incrementAndGet();
                    }
                } catch (Throwable t) {
                    unexpected.set(t);
                }
            });
            int acknowledged = 0;
            for (int i = 0; i < kicks && vp.isAlive(); i++) {
                int before = runsEnded.get();
                kickUntilAcknowledged(g, vp);
                while (runsEnded.get() == before && vp.isAlive()) {
                    Thread.onSpinWait();
                }
                acknowledged++;
            }
            done.set(true);
            kickUntilAcknowledged(g, vp);
            vp.join(5000);
            assertNull(unexpected.get());
            assertFalse(vp.isAlive());
            assertEquals(kicks, acknowledged);
            assertTrue(runsEnded.get() >= kicks, runsEnded.get() + " runs");
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void twoEnginesRunSeparateLoopsConcurrentlyOnTwoThreads() throws Exception {
        // loop: inc qword [0x2000]; jmp loop. Neither run ever returns on its own, so if the engines
        // shared a lock (one run at a time), the second guest's counter could never move while the
        // first runs: both counters advancing before either run returns proves they run side by side.
        String countForever = "48 FF 04 25 00 20 00 00 EB F6";
        UnicornBackend backend = TestGuest.backend();
        try (TestGuest a = new TestGuest(backend, UnicornEngineTest.code(countForever));
             TestGuest b = new TestGuest(backend, UnicornEngineTest.code(countForever))) {
            CompletableFuture<VpExit> ra = new CompletableFuture<>();
            CompletableFuture<VpExit> rb = new CompletableFuture<>();
            Thread ta = Thread.ofPlatform().start(() -> ra.complete(a.engine.run()));
            Thread tb = Thread.ofPlatform().start(() -> rb.complete(b.engine.run()));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while ((count(a) == 0 || count(b) == 0) && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            boolean bothRan = count(a) > 0 && count(b) > 0;
            boolean neitherReturned = !ra.isDone() && !rb.isDone();
            kickUntilAcknowledged(a, ta);
            kickUntilAcknowledged(b, tb);
            assertEquals(new VpExit.Cancelled(), ra.get(20, TimeUnit.SECONDS));
            assertEquals(new VpExit.Cancelled(), rb.get(20, TimeUnit.SECONDS));
            assertTrue(neitherReturned, "both runs were still inside their endless loops");
            assertTrue(bothRan, "both guests counted while the other's run had not returned: " + count(a) + ", " + count(b));
        }
    }

    private static long count(TestGuest g) {
        return (long) COUNTER.getVolatile(g.ram, 0x2000L);
    }
}
