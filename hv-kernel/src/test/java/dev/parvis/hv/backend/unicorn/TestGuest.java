package dev.parvis.hv.backend.unicorn;

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

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A VP with 64 KiB of RWX RAM at GPA 0, code loaded at {@link #CODE}, and scriptable intercepts. */
final class TestGuest implements AutoCloseable, VpIntercepts {
    static final long CODE = 0x1000;
    static final long RAM_SIZE = 0x10000;
    static final long EXTRA = 0x10_0000;

    final Arena arena = Arena.ofShared();
    final MemorySegment ram = arena.allocate(RAM_SIZE, GuestMemoryRegion.PAGE_SIZE);
    final MemorySegment extra = arena.allocate(GuestMemoryRegion.PAGE_SIZE, GuestMemoryRegion.PAGE_SIZE);
    final VpEngine engine;

    volatile boolean acceptPortOut = false;
    volatile long portInValue = 0;
    final List<long[]> portOuts = new CopyOnWriteArrayList<>();
    final List<int[]> portIns = new CopyOnWriteArrayList<>();
    final List<int[]> cpuidLeaves = new CopyOnWriteArrayList<>();

    TestGuest(UnicornBackend backend, byte[] code) {
        engine = backend.createEngine(this);
        ram.asSlice(CODE, code.length).copyFrom(MemorySegment.ofArray(code));
        engine.applyMemoryMap(List.of(ramRegion()));
        engine.writeRegister(X64Register.RIP, CODE);
        engine.writeRegister(X64Register.RSP, RAM_SIZE - 16);
    }

    static UnicornBackend backend() {
        assumeTrue(UnicornLibrary.isAvailable(), "libunicorn 2.x not installed");
        return new UnicornBackend();
    }

    GuestMemoryRegion ramRegion() {
        return new GuestMemoryRegion(0, ram, GuestMemoryRegion.READ | GuestMemoryRegion.WRITE | GuestMemoryRegion.EXECUTE);
    }

    /** Maps the RAM plus the extra page at {@link #EXTRA} with the given rights. */
    void mapExtra(int access) {
        List<GuestMemoryRegion> map = new ArrayList<>();
        map.add(ramRegion());
        map.add(new GuestMemoryRegion(EXTRA, extra, access));
        engine.applyMemoryMap(map);
    }

    long rip() {
        return engine.readRegister(X64Register.RIP);
    }

    @Override
    public CpuidResult cpuid(int leaf, int subleaf) {
        cpuidLeaves.add(new int[] {leaf, subleaf});
        if (leaf == 0x4000_0000) {
            return new CpuidResult(0x4000_0005, 0x7263694D, 0x666F736F, 0x76482074); // "Microsoft Hv"
        }
        return new CpuidResult(0, 0, 0, 0);
    }

    @Override
    public long portIn(int port, int size) {
        portIns.add(new int[] {port, size});
        return portInValue;
    }

    @Override
    public boolean portOut(int port, int size, long value) {
        portOuts.add(new long[] {port, size, value});
        return acceptPortOut;
    }

    @Override
    public void close() {
        engine.close();
        arena.close();
    }
}
