package dev.parvis.hv.backend.unicorn;

import dev.parvis.hv.backend.GuestMemoryRegion;
import dev.parvis.hv.backend.SegmentRegister;
import dev.parvis.hv.backend.TableRegister;
import dev.parvis.hv.backend.VpEngine;
import dev.parvis.hv.backend.VpExit;
import dev.parvis.hv.backend.VpIntercepts;
import dev.parvis.hv.backend.X64Register;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;


/**
 * One virtual processor on its own unicorn instance, in 64-bit mode, driven through the native shim.
 *
 * <p>Initial state (measured on 2.0.1): CR0 = 0x11 (PE, ET; PG clear), CR4 = 0, EFER = 0x500
 * (LME, LMA), CS selector 0 but executing as 64-bit code. Paging is off, so a linear address is the
 * guest-physical address: the GPA map is the guest's whole address space.
 *
 * <p>One downcall per guest entry ({@code parvis_vp_run}); the exit, RIP and, for a hypercall, RCX,
 * RDX and R8 come back in the VP's native struct ({@link UnicornVpState}). RIP is kept there between
 * runs (uc_emu_start takes it as the entry point, so writing it costs no call), a RAX written after
 * an exit is handed to the next run, and the hypercall registers are served from the struct until
 * something writes them.
 *
 * <p>RIP on exits (2.0.1, each pinned by a test): Hypercall and InvalidOpcode at the instruction;
 * MemoryViolation at the faulting instruction; Exception after {@code int n}/{@code int3} and at
 * the instruction for faults such as #DE; Halt after the hlt; IoPortWrite at the end of the
 * translation block (imprecise).
 *
 * <p>A fatal error inside libunicorn (abort(), a fault in its code) is contained by the shim's guard:
 * the run returns {@link VpExit.EngineFailure}, the engine is poisoned and never entered again, and
 * closing it is guarded too (an engine that faults while closing is leaked and counted).
 */
public final class UnicornEngine implements VpEngine {
    private static final Logger log = LoggerFactory.getLogger(UnicornEngine.class);
    private static final AtomicLong LEAKED = new AtomicLong();
    private static final VpExit.Hypercall HYPERCALL = new VpExit.Hypercall(3);
    private static final VpExit.Cancelled CANCELLED = new VpExit.Cancelled();
    private static final VpExit.Halt HALT = new VpExit.Halt();
    /** The struct is 8-byte aligned by construction: unaligned accessors skip a per-access alignment check. */
    private static final ValueLayout.OfInt JAVA_INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong JAVA_LONG = ValueLayout.JAVA_LONG_UNALIGNED;

    private final UnicornCpu cpu;
    private final UnicornTraps traps;
    private final MemorySegment state;
    private final UnicornFaultLatch faultLatch;
    private final UnicornGpaMap gpaMap = new UnicornGpaMap();
    private final AtomicBoolean kickPending = new AtomicBoolean();
    private final Object kickLock = new Object();
    /** RCX, RDX and R8 in the struct are the guest's (captured at a hypercall exit, not written since). */
    private boolean hypercallRegisters;
    private String failure;
    private boolean closed;

    UnicornEngine(UnicornLibrary library, VpIntercepts intercepts) {
        this.traps = new UnicornTraps(intercepts);
        this.state = open(traps);
        this.cpu = new UnicornCpu(library, state.get(ValueLayout.ADDRESS, UnicornVpState.UC));
        traps.bind(cpu);
        try {
            this.faultLatch = new UnicornFaultLatch(cpu);
        } catch (RuntimeException e) {
            closeNative();
            traps.close();
            throw e;
        }
        if (codeBuffer()[0] == 0) {
            log.warn("unicorn engine opened, but its TCG code buffer was not found in /proc/self/maps: a crash in the"
                    + " code it generates will not be contained and ends the host process");
        }
    }

    private static MemorySegment open(UnicornTraps traps) {
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment error = arena.allocate(JAVA_INT);
            MemorySegment vp = (MemorySegment) UnicornShim.VP_OPEN.invokeExact(traps.cpuidStub, traps.portInStub,
                    traps.portOutStub, UnicornTraps.RIP_SYNC_RANGE, UnicornTraps.PRECISE_READ_FAULTS ? 1 : 0,
                    UnicornShim.EXACT_PREEMPTION ? 1 : 0, error);
            if (vp.equals(MemorySegment.NULL)) {
                traps.close();
                throw new UnicornHostException.CallFailed("parvis_vp_open", error.get(JAVA_INT, 0), "engine not opened");
            }
            return UnicornVpState.of(vp);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Engines whose close faulted after a contained failure and were leaked on purpose (JVM-wide). */
    public static long leakedEngines() {
        return LEAKED.get();
    }

    /** True when kicks stop the guest with an exact cross-thread stop, false with the block-hook fallback. */
    boolean exactPreemption() {
        return state.get(JAVA_INT, UnicornVpState.EXACT_STOP) != 0;
    }

    @Override
    public void applyMemoryMap(List<GuestMemoryRegion> regions) {
        if (failure == null) {
            gpaMap.apply(cpu, regions);
        }
    }

    @Override
    public VpExit run() {
        if (kickPending.get() && kickPending.getAndSet(false)) {
            state.set(JAVA_INT, UnicornVpState.KICK_REQUESTED, 0);
            return CANCELLED;
        }
        if (failure != null) {
            return new VpExit.EngineFailure(failure);
        }
        hypercallRegisters = false;
        int rc = runNative(state);
        if (rc != 0) {
            return failed(rc);
        }
        int exit = state.get(JAVA_INT, UnicornVpState.EXIT);
        if (exit == UnicornVpState.EXIT_INVALID_OPCODE && isHypercallAt(state.get(JAVA_LONG, UnicornVpState.RIP))) {
            hypercallRegisters = true; // RCX, RDX and R8 were read by the shim at this exit
            return HYPERCALL;
        }
        if (exit == UnicornVpState.EXIT_NONE && state.get(JAVA_INT, UnicornVpState.HALTED) != 0) {
            return HALT; // exact: unicorn's own halted flag (a pending kick stays pending)
        }
        boolean kicked = state.get(JAVA_INT, UnicornVpState.KICKED) != 0;
        if (kicked) {
            kickPending.set(false);
        }
        RecordedEvent event = event(exit);
        if (event instanceof RecordedEvent.Interrupt i && UnicornFaultLatch.latches(i.vector())) {
            faultLatch.clear();
        }
        return decode(state.get(JAVA_INT, UnicornVpState.UC_ERR), event, kicked);
    }

    /** The handle is read from its static final field here, so the JIT sees a constant (no lambda-form dispatch). */
    private static int runNative(MemorySegment state) {
        try {
            return (int) UnicornShim.VP_RUN.invokeExact(state);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private RecordedEvent event(int exit) {
        int detail = state.get(JAVA_INT, UnicornVpState.DETAIL);
        long value = state.get(JAVA_LONG, UnicornVpState.VALUE);
        return switch (exit) {
            case UnicornVpState.EXIT_INVALID_OPCODE -> RecordedEvent.INVALID_INSTRUCTION;
            case UnicornVpState.EXIT_INTERRUPT -> new RecordedEvent.Interrupt(detail, state.get(JAVA_LONG, UnicornVpState.EVENT_RIP));
            case UnicornVpState.EXIT_MEMORY -> UnicornExitDecoder.memoryFault(detail, value);
            case UnicornVpState.EXIT_PORT_WRITE -> new RecordedEvent.PortWrite(detail, state.get(JAVA_INT, UnicornVpState.SIZE), value);
            default -> RecordedEvent.NONE;
        };
    }

    /** Fetches only the guest bytes the decoder needs for this outcome, then decodes. */
    private VpExit decode(int ucErr, RecordedEvent event, boolean kicked) {
        long rip = rip();
        boolean invalid = event instanceof RecordedEvent.InvalidInstruction
                || (event instanceof RecordedEvent.None && ucErr == UnicornAbi.UC_ERR_INSN_INVALID);
        byte[] bytesAtRip = invalid ? guestBytes(rip, 3) : new byte[0];
        boolean mayBeHalt = event instanceof RecordedEvent.None && ucErr == UnicornAbi.UC_ERR_OK && !kicked;
        int byteBefore = mayBeHalt ? byteBefore(rip) : UnicornExitDecoder.NO_BYTE;
        return UnicornExitDecoder.decode(ucErr, event, kicked, rip, bytesAtRip, byteBefore, cpu.library()::strerror);
    }

    /** The engine is poisoned from here on; the reason names the signal and where it was raised. */
    private VpExit failed(int rc) {
        if (rc == UnicornVpState.POISONED) {
            failure = failure != null ? failure : "the CPU emulator failed earlier";
            return new VpExit.EngineFailure(failure);
        }
        failure = UnicornFailureReason.describe(rc, state);
        log.error("unicorn engine failed and was contained: {}", failure);
        return new VpExit.EngineFailure(failure);
    }

    private boolean isHypercallAt(long rip) {
        Boolean mapped = gpaMap.hypercallAt(rip);
        return mapped != null ? mapped : UnicornExitDecoder.isHypercall(cpu.readBytes(rip, 3));
    }

    /** Guest bytes from the mapped host memory, falling back to uc_mem_read (e.g. across regions). */
    private byte[] guestBytes(long gpa, int count) {
        byte[] bytes = gpaMap.read(gpa, count);
        return bytes != null ? bytes : cpu.readBytes(gpa, count);
    }

    private int byteBefore(long rip) {
        byte[] b = guestBytes(rip - 1, 1);
        return b.length == 1 ? b[0] & 0xff : UnicornExitDecoder.NO_BYTE;
    }

    /**
     * Safe from any thread: the shim stops the running guest at its next translation-block boundary.
     * A kick racing with close() is serialised with it, so it never reaches a freed engine.
     */
    @Override
    public void kick() {
        kickPending.set(true);
        synchronized (kickLock) {
            if (!closed) {
                try {
                    UnicornShim.VP_KICK.invokeExact(state);
                } catch (Throwable t) {
                    throw new IllegalStateException(t);
                }
            }
        }
    }

    @Override
    public boolean kickPending() {
        return kickPending.get();
    }

    private long rip() {
        return state.get(JAVA_LONG, UnicornVpState.RIP);
    }

    private void requireLive() {
        if (failure != null) {
            throw new IllegalStateException("the CPU emulator of this VP failed: " + failure);
        }
    }

    @Override
    public long readRegister(X64Register register) {
        switch (register) {
            case RIP -> {
                return rip();
            }
            case RAX -> {
                if (state.get(JAVA_INT, UnicornVpState.SET_RAX) != 0) {
                    return state.get(JAVA_LONG, UnicornVpState.RAX);
                }
            }
            case RCX, RDX, R8 -> {
                if (hypercallRegisters) {
                    return state.get(JAVA_LONG, cachedOffset(register));
                }
            }
            default -> { }
        }
        requireLive();
        int id = UnicornAbi.registerId(register);
        if (id >= 0 && !register.isTable()) {
            return cpu.readLong(id);
        }
        int msr = UnicornAbi.msrIndex(register);
        if (msr != 0) {
            return cpu.readMsr(msr);
        }
        throw new IllegalArgumentException(register + " is a table register: use readTable");
    }

    private static long cachedOffset(X64Register register) {
        return switch (register) {
            case RCX -> UnicornVpState.RCX;
            case RDX -> UnicornVpState.RDX;
            default -> UnicornVpState.R8;
        };
    }

    @Override
    public void writeRegister(X64Register register, long value) {
        switch (register) {
            case RIP -> {
                state.set(JAVA_LONG, UnicornVpState.RIP, value);
                return;
            }
            case RAX -> {
                // Handed to the next run (one native write there, none here).
                state.set(JAVA_LONG, UnicornVpState.RAX, value);
                state.set(JAVA_INT, UnicornVpState.SET_RAX, 1);
                return;
            }
            case RCX, RDX, R8 -> hypercallRegisters = false;
            default -> { }
        }
        requireLive();
        int id = UnicornAbi.registerId(register);
        if (id >= 0 && !register.isTable()) {
            cpu.writeLong(id, value);
            return;
        }
        int msr = UnicornAbi.msrIndex(register);
        if (msr != 0) {
            cpu.writeMsr(msr, value);
            return;
        }
        throw new IllegalArgumentException(register + " is a table register: use writeTable");
    }

    @Override
    public void readRegisters(X64Register[] registers, long[] values) {
        for (int i = 0; i < registers.length; i++) {
            values[i] = readRegister(registers[i]);
        }
    }

    @Override
    public SegmentRegister readSegment(X64Register segment) {
        requireLive();
        return UnicornSegments.read(cpu, segment);
    }

    @Override
    public void writeSegment(X64Register segment, SegmentRegister value) {
        requireLive();
        UnicornSegments.write(cpu, segment, value);
    }

    @Override
    public TableRegister readTable(X64Register table) {
        requireTable(table);
        requireLive();
        long[] mmr = cpu.readMmr(UnicornAbi.registerId(table));
        return new TableRegister(mmr[1], (int) mmr[2]);
    }

    @Override
    public void writeTable(X64Register table, TableRegister value) {
        requireTable(table);
        requireLive();
        cpu.writeMmr(UnicornAbi.registerId(table), 0, value.base(), value.limit(), 0);
    }

    private static void requireTable(X64Register table) {
        if (!table.isTable()) {
            throw new IllegalArgumentException(table + " is not GDTR or IDTR");
        }
    }

    /**
     * The host addresses of the engine's TCG code buffer as the shim found and registered it with the
     * guard ({lo, hi}; {0, 0} when none was found, and then a fault in generated code is not contained).
     */
    long[] codeBuffer() {
        return new long[] {state.get(JAVA_LONG, UnicornVpState.TCG_LO), state.get(JAVA_LONG, UnicornVpState.TCG_HI)};
    }

    /** The engine first (guarded, by the shim), then the upcall stubs: unicorn must never call a freed stub. */
    @Override
    public void close() {
        synchronized (kickLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (faultLatch != null) {
            faultLatch.close();
        }
        closeNative();
        cpu.close();
        traps.close();
    }

    private void closeNative() {
        try {
            int leaked = (int) UnicornShim.VP_CLOSE.invokeExact(state);
            if (leaked != 0) {
                log.warn("a failed unicorn engine faulted again while closing; leaked ({} so far)", LEAKED.incrementAndGet());
            }
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
