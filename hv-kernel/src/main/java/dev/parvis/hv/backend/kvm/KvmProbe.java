package dev.parvis.hv.backend.kvm;

import dev.parvis.hv.backend.CpuidResult;
import dev.parvis.hv.backend.GuestMemoryRegion;
import dev.parvis.hv.backend.VpExit;
import dev.parvis.hv.backend.VpIntercepts;
import dev.parvis.hv.backend.X64Register;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The start-up measurement that picks the privilege mode, and the proof that a VM runs at all. A
 * probe guest stores 2,048 quadwords and halts, once at CPL 3 and once at CPL 0. Where KVM runs on
 * hardware virtualization both take microseconds; where it is PVM (shadow paging, no VT-x/AMD-V)
 * every CPL-0 memory access is emulated and the CPL-0 run takes milliseconds. The backend then runs
 * guests deprivileged.
 */
final class KvmProbe {
    /** Present when /dev/kvm is served by the pagetable-based KVM (no hardware virtualization). */
    static final Path PVM_MODULE = Path.of("/sys/module/kvm_pvm");
    private static final int STORES = 2048;
    /** Far above a native store (under 1 ns), far below an emulated one (about 4 us on PVM). */
    private static final long EMULATED_STORE_NANOS = 200;
    private static final long CODE_GPA = 0x1000;
    private static final long DATA_GPA = 0x2000;
    private static final long MARKER = 0x5052_5653_5052_4F42L;

    /** What the probe saw: nanoseconds per run at each CPL and the mode it chose. */
    record Result(PrivilegeMode mode, long cpl3Nanos, long cpl0Nanos, boolean pvmModule, String why) {}

    private KvmProbe() {}

    /** Runs the probe in {@code forced} mode only (if not null), else in both and decides. */
    static Result run(KvmDevice device, PrivilegeMode forced) {
        boolean pvm = Files.exists(PVM_MODULE);
        if (forced != null) {
            long t = time(device, forced);
            return new Result(forced, forced == PrivilegeMode.DEPRIVILEGED ? t : -1, forced == PrivilegeMode.PRIVILEGED ? t : -1, pvm,
                    "forced by parvis.kvm.privilege");
        }
        long cpl3 = time(device, PrivilegeMode.DEPRIVILEGED);
        long cpl0 = time(device, PrivilegeMode.PRIVILEGED);
        // Both runs pay for the same exits (whose cost swings with the host's load); the stores are
        // what differs: emulated, each costs microseconds, native, a fraction of a nanosecond.
        // A PVM host never runs CPL 0 natively, whatever a measurement on a loaded machine says.
        boolean emulated = pvm || cpl0 - cpl3 > STORES * EMULATED_STORE_NANOS;
        PrivilegeMode mode = emulated ? PrivilegeMode.DEPRIVILEGED : PrivilegeMode.PRIVILEGED;
        String measured = "%d stores: %.2f ms at CPL 0, %.2f ms at CPL 3".formatted(STORES, cpl0 / 1e6, cpl3 / 1e6);
        String why = emulated
                ? "CPL-0 memory accesses are emulated (%s)%s".formatted(measured, pvm ? "; /dev/kvm is PVM (" + PVM_MODULE + ")" : "")
                : "CPL 0 runs natively (%s)".formatted(measured);
        return new Result(mode, cpl3, cpl0, pvm, why);
    }

    /** Nanoseconds for one run of the probe guest in {@code mode}; throws Unavailable if it misbehaves. */
    private static long time(KvmDevice device, PrivilegeMode mode) {
        try (Arena arena = Arena.ofConfined(); KvmEngine engine = new KvmEngine(device, mode, new Quiet())) {
            MemorySegment code = arena.allocate(4096, 4096);
            MemorySegment data = arena.allocate(STORES * 8L, 4096);
            code.copyFrom(MemorySegment.ofArray(guest()));
            engine.applyMemoryMap(List.of(new GuestMemoryRegion(CODE_GPA, code, GuestMemoryRegion.READ | GuestMemoryRegion.EXECUTE),
                    new GuestMemoryRegion(DATA_GPA, data, GuestMemoryRegion.READ | GuestMemoryRegion.WRITE)));
            long nanos = Long.MAX_VALUE;
            VpExit exit = null;
            // The first run also builds KVM's shadow page tables: the best of three is the steady cost.
            for (int i = 0; i < 3 && (exit == null || exit instanceof VpExit.Halt); i++) {
                engine.writeRegister(X64Register.RIP, CODE_GPA);
                engine.writeRegister(X64Register.RAX, MARKER);
                long start = System.nanoTime();
                exit = engine.run();
                nanos = Math.min(nanos, System.nanoTime() - start);
            }
            long last = data.get(ValueLayout.JAVA_LONG, (STORES - 1) * 8L);
            if (!(exit instanceof VpExit.Halt) || last != MARKER) {
                throw new KvmHostException.Unavailable("probe VM at CPL %d ended with %s, last store 0x%x".formatted(mode.cpl(), exit, last), null);
            }
            return nanos;
        } catch (KvmHostException.CallFailed e) {
            throw new KvmHostException.Unavailable("probe VM at CPL " + mode.cpl() + ": " + e.getMessage(), e);
        }
    }

    /** mov rdi, DATA; mov ecx, STORES; 1: mov [rdi], rax; add rdi, 8; dec ecx; jnz 1b; hlt. */
    private static byte[] guest() {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(32).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x48, (byte) 0xC7, (byte) 0xC7}).putInt((int) DATA_GPA);
        b.put((byte) 0xB9).putInt(STORES);
        b.put(new byte[] {0x48, (byte) 0x89, 0x07, 0x48, (byte) 0x83, (byte) 0xC7, 0x08, (byte) 0xFF, (byte) 0xC9, 0x75, (byte) 0xF5});
        b.put((byte) 0xF4);
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    /** The probe's callbacks: an empty processor, no ports. */
    private static final class Quiet implements VpIntercepts {
        @Override
        public CpuidResult cpuid(int leaf, int subleaf) {
            return new CpuidResult(0, 0, 0, 0);
        }

        @Override
        public long portIn(int port, int size) {
            return -1;
        }

        @Override
        public boolean portOut(int port, int size, long value) {
            return false;
        }
    }
}
