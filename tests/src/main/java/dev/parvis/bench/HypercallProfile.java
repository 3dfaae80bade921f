package dev.parvis.bench;

import dev.parvis.hv.backend.CpuidResult;
import dev.parvis.hv.backend.GuestMemoryRegion;
import dev.parvis.hv.backend.VpEngine;
import dev.parvis.hv.backend.VpExit;
import dev.parvis.hv.backend.VpIntercepts;
import dev.parvis.hv.backend.X64Register;
import dev.parvis.hv.backend.unicorn.UnicornBackend;
import dev.parvis.hv.vp.VirtualProcessor;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Where a guest hypercall's time goes: a ladder from the empty trap baseline up to the full kernel,
 * each rung adding one thing, all rungs interleaved batch by batch. Not a {@code ratio=} benchmark;
 * run it by hand ({@code java ... dev.parvis.bench.HypercallProfile}) when the hypercall ratio misses.
 *
 * <ol>
 *   <li>trap: the benchmark's baseline (counted vmcall loop, empty hook, RIP read + write, re-entry);
 *   <li>shape: the same minimal run loop, but running the instructions hcbench really executes per
 *       call (its loop, hv_signal_event, hv_hypercall_fast, the indirect call into the hypercall page,
 *       vmcall; ret): 3 stores and 5 loads per call;
 *   <li>shape + hooks: plus the backend's two memory hooks (invalid-memory, and the RIP-sync
 *       read/write hook), both empty;
 *   <li>engine: the real UnicornEngine (all its hooks, its run() and exit decoding) on the same code,
 *       with the least a hypercall handler must do (RAX write, RIP read, RIP + 3 write);
 *   <li>kernel: hcbench under the hypervisor, split with the VP's run-time counter into time inside
 *       VpEngine.run() and time outside it (scheduler slice bookkeeping and dispatch).
 * </ol>
 */
public final class HypercallProfile {
    static final long BASE = 0x1000;
    static final int PAGES = 5;
    static final long HYPERCALL_PAGE = 0x1000, CODE = 0x2000, DATA = 0x3000, STACK = 0x5000;
    /** The hcbench call path as gcc emitted it (assembled from the same instructions; see class comment). */
    static final byte[] SHAPE = {
        0x31, (byte) 0xf6, (byte) 0x89, (byte) 0xef, (byte) 0xe8, 0x17, 0x00, 0x00, 0x00, 0x66, (byte) 0x85, (byte) 0xc0,
        0x74, 0x06, 0x48, (byte) 0x83, 0x44, 0x24, 0x08, 0x01, 0x48, (byte) 0x83, (byte) 0xc3, 0x01, 0x48, 0x3b, 0x1c, 0x24,
        0x72, (byte) 0xe2, (byte) 0xf4, (byte) 0x90,
        // 0x20 signal_event
        0x0f, (byte) 0xb7, (byte) 0xf6, (byte) 0x89, (byte) 0xff, 0x48, (byte) 0x83, (byte) 0xec, 0x08, 0x31, (byte) 0xd2,
        0x48, (byte) 0xc1, (byte) 0xe6, 0x20, 0x48, 0x09, (byte) 0xfe, (byte) 0xbf, 0x5d, 0x00, 0x00, 0x00,
        (byte) 0xe8, 0x14, 0x00, 0x00, 0x00, 0x48, (byte) 0x83, (byte) 0xc4, 0x08, (byte) 0xc3,
        0x66, 0x66, 0x2e, 0x0f, 0x1f, (byte) 0x84, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0f, 0x1f, 0x40, 0x00,
        // 0x50 hypercall_fast: ... call *0xf9a(%rip) (the pointer at DATA); ret
        0x48, (byte) 0x81, (byte) 0xcf, 0x00, 0x00, 0x01, 0x00, 0x49, (byte) 0x89, (byte) 0xd0, 0x48, (byte) 0x89, (byte) 0xf2,
        0x48, (byte) 0x89, (byte) 0xf9, (byte) 0xff, 0x15, (byte) 0x9a, 0x0f, 0x00, 0x00, (byte) 0xc3};
    static final byte[] HYPERCALL_CODE = {0x0f, 0x01, (byte) 0xc1, (byte) 0xc3};

    private static final long CALLS = HypercallBench.CALLS;
    private static final int WARM_UP = 10;
    private static final int REPETITIONS = 9;

    private HypercallProfile() {}

    public static void main(String[] args) throws Exception {
        run(System.out);
        System.exit(0);
    }

    static void run(PrintStream out) throws Exception {
        Samples trap = new Samples(), shape = new Samples(), hooked = new Samples(), engine = new Samples();
        Samples kernel = new Samples(), inRun = new Samples(), exitsPerCall = new Samples();
        try (BareUnicorn trapUc = new BareUnicorn(HypercallBench.TRAP_LOOP);
             BareUnicorn shapeUc = shapeEngine();
             BareUnicorn hookedUc = shapeEngine();
             Arena arena = Arena.ofShared();
             GuestSession hcbench = GuestSession.start("hcbench")) {
            trapUc.addEmptyInvalidInstructionHook();
            shapeUc.addEmptyInvalidInstructionHook();
            hookedUc.addEmptyInvalidInstructionHook();
            hookedUc.addBackendMemoryHooks();
            VpEngine real = realEngine(arena);
            VirtualProcessor vp = hcbench.vp();
            for (int i = 0; i < WARM_UP + REPETITIONS; i++) {
                boolean keep = i >= WARM_UP;
                record(keep, trap, HypercallBench.trapRun(trapUc, CALLS));
                record(keep, shape, shapeRun(shapeUc, CALLS));
                record(keep, hooked, shapeRun(hookedUc, CALLS));
                record(keep, engine, engineRun(real, CALLS));
                long run0 = vp.runNanos(), exits0 = vp.exitCount();
                long total = hcbench.roundTrip(CALLS, (n, reply) -> { });
                record(keep, kernel, total);
                record(keep, inRun, vp.runNanos() - run0);
                if (keep) {
                    exitsPerCall.add((double) (vp.exitCount() - exits0) / CALLS);
                }
            }
            real.close();
            out.printf("profile: per call, median of %d interleaved batches of %d calls%n", REPETITIONS, CALLS);
            out.printf("profile: trap   (baseline: vmcall loop, empty hook, RIP read+write, re-entry) %6.0f ns%n", trap.median());
            out.printf("profile: shape  (hcbench's call path on bare unicorn, same minimal loop)     %6.0f ns  (+%.0f guest code)%n",
                    shape.median(), shape.median() - trap.median());
            out.printf("profile: +hooks (backend's empty invalid-memory + RIP-sync read/write hooks) %6.0f ns  (+%.0f)%n",
                    hooked.median(), hooked.median() - shape.median());
            out.printf("profile: engine (real UnicornEngine.run + RAX write, RIP read, RIP write)   %6.0f ns  (+%.0f)%n",
                    engine.median(), engine.median() - hooked.median());
            out.printf("profile: kernel (hcbench under the hypervisor, post to reply)               %6.0f ns  (+%.0f)%n",
                    kernel.median(), kernel.median() - engine.median());
            out.printf("profile: kernel split: inside VpEngine.run %.0f ns, outside (PartitionRunner.runSlice"
                    + " bookkeeping + ExitHandler + dispatchGuest) %.0f ns; %.3f exits per call%n",
                    inRun.median(), kernel.median() - inRun.median(), exitsPerCall.median());
            downcallCosts(out, trapUc);
            kernelLookups(out, hcbench);
        }
    }

    private static void record(boolean keep, Samples s, long nanos) {
        if (keep) {
            s.add((double) nanos / CALLS);
        }
    }

    private static BareUnicorn shapeEngine() {
        BareUnicorn uc = new BareUnicorn(BASE, PAGES);
        uc.poke(HYPERCALL_PAGE, HYPERCALL_CODE);
        uc.poke(CODE, SHAPE);
        uc.pokeLong(DATA, HYPERCALL_PAGE);
        return uc;
    }

    /** Bare run of the hcbench call path: n calls, then hlt. */
    static long shapeRun(BareUnicorn uc, long n) {
        uc.pokeLong(STACK, n);
        uc.pokeLong(STACK + 8, 0);
        uc.write(BareUnicorn.REG_RSP, STACK);
        uc.write(BareUnicorn.REG_RBX, 0);
        uc.write(BareUnicorn.REG_RBP, 2);
        uc.write(BareUnicorn.REG_RAX, 0);
        long rip = CODE;
        long traps = 0;
        long t0 = System.nanoTime();
        while (true) {
            int err = uc.start(rip);
            if (err == BareUnicorn.UC_ERR_OK) {
                break;
            }
            if (err != BareUnicorn.UC_ERR_INSN_INVALID) {
                throw new IllegalStateException("shape loop ended with uc_err " + err);
            }
            rip = uc.read(BareUnicorn.REG_RIP) + 3;
            uc.write(BareUnicorn.REG_RIP, rip);
            traps++;
        }
        long elapsed = System.nanoTime() - t0;
        if (traps != n || uc.peekLong(STACK + 8) != 0) {
            throw new IllegalStateException("shape loop: " + traps + " traps, " + uc.peekLong(STACK + 8) + " failures");
        }
        return elapsed;
    }

    /** A real backend engine with the hcbench path mapped as the loader maps a guest (code R+X, data R+W). */
    private static VpEngine realEngine(Arena arena) {
        MemorySegment mem = arena.allocate(PAGES * 4096L, 4096);
        MemorySegment.copy(MemorySegment.ofArray(HYPERCALL_CODE), 0, mem, HYPERCALL_PAGE - BASE, HYPERCALL_CODE.length);
        MemorySegment.copy(MemorySegment.ofArray(SHAPE), 0, mem, CODE - BASE, SHAPE.length);
        mem.set(JAVA_LONG, DATA - BASE, HYPERCALL_PAGE);
        VpEngine engine = new UnicornBackend().createEngine(new VpIntercepts() {
            @Override
            public CpuidResult cpuid(int leaf, int subleaf) {
                return new CpuidResult(0, 0, 0, 0);
            }

            @Override
            public long portIn(int port, int size) {
                return 0;
            }

            @Override
            public boolean portOut(int port, int size, long value) {
                return false;
            }
        });
        int rx = GuestMemoryRegion.READ | GuestMemoryRegion.EXECUTE;
        int rw = GuestMemoryRegion.READ | GuestMemoryRegion.WRITE;
        engine.applyMemoryMap(List.of(
                new GuestMemoryRegion(HYPERCALL_PAGE, mem.asSlice(0, 4096), rx),
                new GuestMemoryRegion(CODE, mem.asSlice(CODE - BASE, 4096), rx),
                new GuestMemoryRegion(DATA, mem.asSlice(DATA - BASE, 3 * 4096L), rw)));
        stack = mem;
        return engine;
    }

    private static MemorySegment stack;

    private static long engineRun(VpEngine engine, long n) {
        stack.set(JAVA_LONG, STACK - BASE, n);
        stack.set(JAVA_LONG, STACK - BASE + 8, 0);
        engine.writeRegister(X64Register.RSP, STACK);
        engine.writeRegister(X64Register.RBX, 0);
        engine.writeRegister(X64Register.RBP, 2);
        engine.writeRegister(X64Register.RAX, 0);
        engine.writeRegister(X64Register.RIP, CODE);
        long traps = 0;
        long t0 = System.nanoTime();
        while (true) {
            VpExit exit = engine.run();
            if (exit instanceof VpExit.Hypercall h) {
                engine.writeRegister(X64Register.RAX, 0);
                long rip = engine.readRegister(X64Register.RIP);
                engine.writeRegister(X64Register.RIP, rip + h.instructionLength());
                traps++;
            } else if (exit instanceof VpExit.Halt) {
                break;
            } else if (!(exit instanceof VpExit.Cancelled)) {
                throw new IllegalStateException("engine loop: " + exit);
            }
        }
        long elapsed = System.nanoTime() - t0;
        if (traps != n) {
            throw new IllegalStateException("engine loop: " + traps + " hypercalls, expected " + n);
        }
        return elapsed;
    }

    /** Two lookups the kernel makes on every guest hypercall exit, timed from this thread (uncontended). */
    private static void kernelLookups(PrintStream out, GuestSession session) {
        int n = 1_000_000;
        var partition = session.vp().partition();
        var ports = session.hypervisor().ports();
        long id = session.child().partitionId();
        Samples vps = new Samples(), connection = new Samples();
        long sink = 0;
        for (int r = 0; r < 7; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                sink += partition.vps().length;
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                sink += ports.connection(id, dev.parvis.root.loader.ChildChannels.CHILD_EVENT_CONNECTION) == null ? 0 : 1;
            }
            long t2 = System.nanoTime();
            if (r >= 2) {
                vps.add((double) (t1 - t0) / n);
                connection.add((double) (t2 - t1) / n);
            }
        }
        out.printf("profile: Partition.vps() %.1f ns (called by PartitionRunner.nextRunnable on every exit),"
                + " PortTable.connection() %.1f ns (per SignalEvent)%s%n", vps.median(), connection.median(), sink == 42 ? " " : "");
    }

    /** The cost of one uc_reg_read and one uc_reg_write through the backend's binding. */
    private static void downcallCosts(PrintStream out, BareUnicorn uc) {
        int n = 2_000_000;
        Samples read = new Samples(), write = new Samples();
        long sink = 0;
        for (int r = 0; r < 7; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                sink += uc.read(BareUnicorn.REG_RIP);
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                uc.write(BareUnicorn.REG_RBX, i);
            }
            long t2 = System.nanoTime();
            if (r >= 2) {
                read.add((double) (t1 - t0) / n);
                write.add((double) (t2 - t1) / n);
            }
        }
        out.printf("profile: one uc_reg_read %.1f ns, one uc_reg_write %.1f ns (critical downcalls via UnicornLibrary)%s%n",
                read.median(), write.median(), sink == 42 ? " " : "");
    }
}
