package dev.parvis.hv.backend;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A VP for backend tests, whichever the backend: 64 KiB of RWX RAM at GPA 0 with code loaded at
 * {@code codeAt} (RIP there, RSP near the top), an extra page for mapping tests at {@link #EXTRA},
 * and intercepts the test scripts and inspects: port writes are recorded and taken or refused
 * ({@link #acceptPortOut}), port reads answer {@link #portInValue}, CPUID 0x40000000 says
 * "Microsoft Hv", MSR 0x40000002 reads 0x77 and 0x40000000 takes writes (everything else #GP).
 */
public abstract class ScriptedGuest implements AutoCloseable, VpIntercepts {
    public static final long RAM_SIZE = 0x10000;
    public static final long EXTRA = 0x10_0000;

    public final Arena arena = Arena.ofShared();
    public final MemorySegment ram = arena.allocate(RAM_SIZE, GuestMemoryRegion.PAGE_SIZE);
    public final MemorySegment extra = arena.allocate(GuestMemoryRegion.PAGE_SIZE, GuestMemoryRegion.PAGE_SIZE);
    public final VpEngine engine;

    public volatile boolean acceptPortOut = false;
    public volatile long portInValue = 0;
    public final List<long[]> portOuts = new CopyOnWriteArrayList<>();
    public final List<int[]> portIns = new CopyOnWriteArrayList<>();
    public final List<int[]> cpuidLeaves = new CopyOnWriteArrayList<>();
    public final List<long[]> msrWrites = new CopyOnWriteArrayList<>();

    /** {@code prepare} fills the RAM (a backend's own pages, say) before the code goes in and the map applies. */
    protected ScriptedGuest(Function<VpIntercepts, VpEngine> engines, long codeAt, byte[] code, Consumer<MemorySegment> prepare) {
        engine = engines.apply(this);
        prepare.accept(ram);
        ram.asSlice(codeAt, code.length).copyFrom(MemorySegment.ofArray(code));
        engine.applyMemoryMap(List.of(ramRegion()));
        engine.writeRegister(X64Register.RIP, codeAt);
        engine.writeRegister(X64Register.RSP, RAM_SIZE - 16);
    }

    public GuestMemoryRegion ramRegion() {
        return new GuestMemoryRegion(0, ram, GuestMemoryRegion.READ | GuestMemoryRegion.WRITE | GuestMemoryRegion.EXECUTE);
    }

    /** Maps the RAM plus the extra page at {@link #EXTRA} with the given rights. */
    public void mapExtra(int access) {
        List<GuestMemoryRegion> map = new ArrayList<>();
        map.add(ramRegion());
        map.add(new GuestMemoryRegion(EXTRA, extra, access));
        engine.applyMemoryMap(map);
    }

    public long rip() {
        return engine.readRegister(X64Register.RIP);
    }

    public long reg(X64Register r) {
        return engine.readRegister(r);
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
    public OptionalLong readMsr(int index) {
        return index == 0x4000_0002 ? OptionalLong.of(0x77) : OptionalLong.empty();
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
