package dev.parvis.bench;

import dev.parvis.hv.backend.BackendChoice;
import dev.parvis.hv.backend.unicorn.BareUnicorn;

import java.io.PrintStream;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * {@code mips}: the gcc-built {@code spin} guest running {@code 1: dec %rcx; jnz 1b} for N
 * iterations, timed from the root's request to the guest's reply, against the same bytes
 * ({@code 48 ff c9 75 fb}) outside any partition: on unicorn, bare unicorn with no hooks; on KVM,
 * natively on the host processor ({@link NativeCode}). Both count 2N instructions; the repetitions
 * alternate between the two.
 */
final class MipsBench implements Benchmark {
    /** 10^9 guest instructions: ~0.4 s at the ~2.5 GIPS unicorn reaches on this loop. */
    static final long ITERATIONS = 500_000_000L;
    private static final int WARM_UP = 2;
    private static final int REPETITIONS = 9;
    private static final int ROUND_TRIP_WARM_UP = 300;
    private static final int ROUND_TRIPS = 101;
    /** dec rcx; jnz -5; hlt */
    static final byte[] LOOP = {0x48, (byte) 0xff, (byte) 0xc9, 0x75, (byte) 0xfb, (byte) 0xf4};
    /** mov rcx, rdi; the same loop; ret: the loop as a native function of N. */
    static final byte[] NATIVE_LOOP = {0x48, (byte) 0x89, (byte) 0xf9, 0x48, (byte) 0xff, (byte) 0xc9, 0x75, (byte) 0xfb, (byte) 0xc3};

    @Override
    public String name() {
        return "mips";
    }

    @Override
    public void run(PrintStream out, BackendChoice backend) throws Exception {
        Samples guest = new Samples();
        Samples baseline = new Samples();
        Samples roundTrip = new Samples();
        String on;
        try (GuestSession spin = GuestSession.start("spin", backend)) {
            on = spin.backendName();
            boolean kvm = on.equals("kvm");
            try (BareUnicorn raw = kvm ? null : BareUnicorn.withoutHooks(LOOP, 4 * 4096);
                 NativeCode host = kvm ? new NativeCode(NATIVE_LOOP) : null) {
                for (int i = 0; i < WARM_UP + REPETITIONS; i++) {
                    double g = mips(spin.roundTrip(ITERATIONS, MipsBench::checkEcho));
                    double b = mips(kvm ? host.time(ITERATIONS, 0, 0) : bareRun(raw, ITERATIONS));
                    if (i >= WARM_UP) {
                        guest.add(g);
                        baseline.add(b);
                    }
                }
            }
            for (int i = 0; i < ROUND_TRIP_WARM_UP + ROUND_TRIPS; i++) {
                long ns = spin.roundTrip(1, MipsBench::checkEcho);
                if (i >= ROUND_TRIP_WARM_UP) {
                    roundTrip.add(ns / 1000.0);
                }
            }
        }
        String base = on.equals("kvm") ? "the same bytes natively" : "bare unicorn";
        if (on.equals("kvm")) {
            // Native speed on both sides: only interference (other processes on a shared machine) can
            // slow a run down, so the best of the interleaved runs is each side's speed.
            out.printf("mips: %s guest %.1f MIPS, %s %.1f MIPS (best of %d interleaved runs each) ratio=%.3f%n",
                    on, guest.max(), base, baseline.max(), REPETITIONS, guest.max() / baseline.max());
        } else {
            out.printf("mips: %s guest %.1f MIPS, %s %.1f MIPS ratio=%.3f%n",
                    on, guest.median(), base, baseline.median(), guest.median() / baseline.median());
        }
        out.printf("mips: context: median of %d interleaved repetitions of N=%d (%d instructions); guest %.1f-%.1f MIPS,"
                        + " %s %.1f-%.1f MIPS%n", REPETITIONS, ITERATIONS, 2 * ITERATIONS,
                guest.min(), guest.max(), base, baseline.min(), baseline.max());
        out.printf("mips: context: message round trip (root post -> spin reply, N=1) %.1f us median of %d"
                        + " (min %.1f, max %.1f)%n", roundTrip.median(), roundTrip.count(), roundTrip.min(), roundTrip.max());
    }

    /** Nanoseconds for N iterations of the loop in the bare engine, from RCX = N to the hlt. */
    static long bareRun(BareUnicorn raw, long n) {
        raw.setRegister(BareUnicorn.RCX, n);
        BareUnicorn.Run run = raw.run();
        if (raw.register(BareUnicorn.RCX) != 0) {
            throw new IllegalStateException("bare loop stopped with rcx " + raw.register(BareUnicorn.RCX));
        }
        return run.nanos();
    }

    private static double mips(long nanos) {
        return 2.0 * ITERATIONS / nanos * 1000.0;
    }

    private static void checkEcho(long n, MemorySegment reply) {
        if (reply.byteSize() < 8 || reply.get(JAVA_LONG_UNALIGNED, 0) != n) {
            throw new IllegalStateException("spin replied " + reply.byteSize() + " bytes, not {u64 " + n + "}");
        }
    }
}
