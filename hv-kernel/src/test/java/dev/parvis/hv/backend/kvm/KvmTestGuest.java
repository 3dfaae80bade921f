package dev.parvis.hv.backend.kvm;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.parvis.hv.backend.CpuidResult;
import dev.parvis.hv.backend.GuestMemoryRegion;
import dev.parvis.hv.backend.VpEngine;
import dev.parvis.hv.backend.VpIntercepts;
import dev.parvis.hv.backend.X64Register;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A KVM VP with 64 KiB of RWX RAM at GPA 0, this backend's hypercall page at {@link #PAGE}, code
 * at {@link #CODE}, an extra page for mapping tests, and scriptable intercepts.
 */
final class KvmTestGuest implements AutoCloseable, VpIntercepts {
    static final long PAGE = 0x1000;
    static final long CODE = 0x2000;
    static final long RAM_SIZE = 0x10000;
    static final long EXTRA = 0x10_0000;
    private static final java.util.Map<PrivilegeMode, KvmBackend> BACKENDS = new java.util.concurrent.ConcurrentHashMap<>();

    final Arena arena = Arena.ofShared();
    final MemorySegment ram = arena.allocate(RAM_SIZE, GuestMemoryRegion.PAGE_SIZE);
    final MemorySegment extra = arena.allocate(GuestMemoryRegion.PAGE_SIZE, GuestMemoryRegion.PAGE_SIZE);
    final VpEngine engine;

    volatile boolean acceptPortOut = false;
    volatile long portInValue = 0;
    final List<long[]> portOuts = new CopyOnWriteArrayList<>();

    KvmTestGuest(PrivilegeMode mode, byte[] code) {
        engine = backend(mode).createEngine(this);
        ram.asSlice(PAGE, 4096).copyFrom(MemorySegment.ofArray(KvmHypercallPage.image()));
        ram.asSlice(CODE, code.length).copyFrom(MemorySegment.ofArray(code));
        engine.applyMemoryMap(List.of(ramRegion()));
        engine.writeRegister(X64Register.RIP, CODE);
        engine.writeRegister(X64Register.RSP, RAM_SIZE - 16);
    }

    /** One backend per mode for the whole test run (each opening runs the probe). */
    static KvmBackend backend(PrivilegeMode mode) {
        assumeKvm();
        return BACKENDS.computeIfAbsent(mode, KvmBackend::new);
    }

    static void assumeKvm() {
        String reason = KvmBackend.unavailableReason().orElse(null);
        assumeTrue(reason == null, () -> "KVM unavailable: " + reason);
    }

    GuestMemoryRegion ramRegion() {
        return new GuestMemoryRegion(0, ram, GuestMemoryRegion.READ | GuestMemoryRegion.WRITE | GuestMemoryRegion.EXECUTE);
    }

    void mapExtra(int access) {
        List<GuestMemoryRegion> map = new ArrayList<>();
        map.add(ramRegion());
        map.add(new GuestMemoryRegion(EXTRA, extra, access));
        engine.applyMemoryMap(map);
    }

    long rip() {
        return engine.readRegister(X64Register.RIP);
    }

    long reg(X64Register r) {
        return engine.readRegister(r);
    }

    @Override
    public CpuidResult cpuid(int leaf, int subleaf) {
        if (leaf == 0x4000_0000) {
            return new CpuidResult(0x4000_0005, 0x7263694D, 0x666F736F, 0x76482074); // "Microsoft Hv"
        }
        return new CpuidResult(0, 0, 0, 0);
    }

    @Override
    public long portIn(int port, int size) {
        return portInValue;
    }

    @Override
    public boolean portOut(int port, int size, long value) {
        portOuts.add(new long[] {port, size, value});
        return acceptPortOut;
    }

    final List<long[]> msrWrites = new CopyOnWriteArrayList<>();

    /** MSR 0x40000002 (VP_INDEX) reads 0x77; 0x40000000 takes writes; everything else #GP. */
    @Override
    public java.util.OptionalLong readMsr(int index) {
        return index == 0x4000_0002 ? java.util.OptionalLong.of(0x77) : java.util.OptionalLong.empty();
    }

    @Override
    public boolean writeMsr(int index, long value) {
        if (index != 0x4000_0000) {
            return false;
        }
        msrWrites.add(new long[] {index, value});
        return true;
    }

    @Override
    public void close() {
        engine.close();
        arena.close();
    }
}
