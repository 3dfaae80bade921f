package dev.parvis.bench;

import dev.parvis.hv.backend.BackendChoice;
import dev.parvis.hv.backend.unicorn.BareUnicorn;

import java.io.PrintStream;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * {@code hypercall}: the cost of one fast HvCallSignalEvent round trip from the gcc-built
 * {@code hcbench} guest (a register-only loop calling the hypercall page: on unicorn {@code vmcall; ret}), against an empty invalid-opcode trap into Java on bare unicorn: a counted
 * vmcall loop whose only hook is a Java UC_HOOK_INSN_INVALID upcall that returns false, with the
 * Java run loop reading RIP, writing RIP + 3 and re-entering uc_emu_start, the least any
 * hypercall needs. Batches of both alternate; each batch gives a time per call. On KVM the baseline
 * is the bare KVM exit of a small C program instead ({@link KvmExitBaseline}).
 */
final class HypercallBench implements Benchmark {
    static final long CALLS = 100_000;
    private static final int WARM_UP = 10;
    private static final int REPETITIONS = 9;
    /**
     * 0x1000: dec rcx; jz done; vmcall; jmp 0x1000; done: hlt. RCX = N + 1 gives N vmcalls.
     */
    static final byte[] TRAP_LOOP = {
        0x48, (byte) 0xff, (byte) 0xc9,     // dec rcx
        0x74, 0x05,                         // jz +5 (hlt)
        0x0f, 0x01, (byte) 0xc1,            // vmcall
        (byte) 0xeb, (byte) 0xf6,           // jmp -10 (dec)
        (byte) 0xf4                         // hlt
    };

    @Override
    public String name() {
        return "hypercall";
    }

    @Override
    public void run(PrintStream out, BackendChoice backend) throws Exception {
        try (GuestSession hcbench = GuestSession.start("hcbench", backend)) {
            if (hcbench.backendName().equals("kvm")) {
                new KvmExitBaseline().compare(out, hcbench);
                return;
            }
            unicorn(out, hcbench);
        }
    }

    private static void unicorn(PrintStream out, GuestSession hcbench) throws Exception {
        Samples guest = new Samples();
        Samples bare = new Samples();
        try (BareUnicorn raw = BareUnicorn.withInvalidOpcodeTrap(TRAP_LOOP, 4 * 4096)) {
            for (int i = 0; i < WARM_UP + REPETITIONS; i++) {
                double g = (double) hcbench.roundTrip(CALLS, HypercallBench::checkReply) / CALLS;
                double b = (double) trapRun(raw, CALLS) / CALLS;
                if (i >= WARM_UP) {
                    guest.add(g);
                    bare.add(b);
                }
            }
        }
        out.printf("hypercall: SignalEvent round trip %.0f ns median, empty invalid-opcode trap %.0f ns ratio=%.2f%n",
                guest.median(), bare.median(), guest.median() / bare.median());
        out.printf("hypercall: context: median of %d interleaved batches of %d calls after %d warm-up batches;"
                        + " SignalEvent %.0f-%.0f ns, trap %.0f-%.0f ns%n", REPETITIONS, CALLS, WARM_UP,
                guest.min(), guest.max(), bare.min(), bare.max());
    }

    /** Nanoseconds for n trips through the trap loop: upcall, RIP read, RIP + 3 write, re-entry. */
    static long trapRun(BareUnicorn raw, long n) {
        raw.setRegister(BareUnicorn.RCX, n + 1);
        BareUnicorn.Run run = raw.run();
        if (run.traps() != n) {
            throw new IllegalStateException("trap loop took " + run.traps() + " traps, expected " + n);
        }
        return run.nanos();
    }

    static void checkReply(long n, MemorySegment reply) {
        if (reply.byteSize() < 16 || reply.get(JAVA_LONG_UNALIGNED, 0) != n) {
            throw new IllegalStateException("hcbench replied " + reply.byteSize() + " bytes, not {u64 " + n + ", u64 failures}");
        }
        long failures = reply.get(JAVA_LONG_UNALIGNED, 8);
        if (failures != 0) {
            throw new IllegalStateException("hcbench: " + failures + " of " + n + " SignalEvent calls failed");
        }
    }
}
