package dev.parvis.hv.backend.unicorn;

import dev.parvis.hv.backend.CpuidResult;
import dev.parvis.hv.backend.VpIntercepts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The hooks of one engine: Java upcalls that unicorn calls on the VP's thread while the guest runs.
 * They answer CPUID and port reads inline and record anything that must end the run for the exit
 * decoder.
 *
 * <p>Every upcall body catches Throwable, because an exception escaping an upcall ends the JVM. The
 * stubs live in a shared arena owned by this object: the engine is created and closed on possibly
 * different threads (a confined arena could not be closed from the VP thread), and the arena is
 * closed only after uc_close, so unicorn never calls a freed stub.
 */
final class UnicornTraps implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UnicornTraps.class);
    private static final int LOGGED_FAILURES = 10;

    /**
     * The range of the do-nothing UC_HOOK_MEM_READ/WRITE hook. Its mere presence makes 2.0.1 store
     * RIP before every guest load and store (translate.c: "Unicorn: sync EIP"), which is what gives
     * memory faults a precise RIP: without it RIP is left at the start of the translation block while
     * the instructions before the faulting one have already taken effect, so resuming would run them
     * twice. The range is one non-canonical page no guest access can reach.
     *
     * <p>Cost, measured in C on 2.0.1: stores already take the slow path, so nothing measurable;
     * loads move to the slow path, ~2.5 to ~10-20 ns per iteration of a 4-instruction load loop.
     * {@code -Dparvis.unicorn.preciseReadFaults=false} drops the read half for guests that never
     * fault on a load (their load faults then report the block start as RIP: not resumable).
     */
    static final long RIP_SYNC_RANGE = 0xFFFF_FFFF_FFFF_F000L;
    static final boolean PRECISE_READ_FAULTS =
            !"false".equalsIgnoreCase(System.getProperty("parvis.unicorn.preciseReadFaults"));

    private final UnicornCpu cpu;
    private final VpIntercepts intercepts;
    private final Arena stubs = Arena.ofShared();
    private RecordedEvent event = RecordedEvent.NONE;
    private int failures;

    UnicornTraps(UnicornCpu cpu, VpIntercepts intercepts) {
        this.cpu = cpu;
        this.intercepts = intercepts;
    }

    /** Installs every hook on the cpu. */
    void install() {
        UnicornLibrary lib = cpu.library();
        MemorySegment uc = cpu.handle();
        lib.hookAdd(uc, UnicornAbi.UC_HOOK_INSN_INVALID, stub("onInvalidInstruction",
                FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, ADDRESS)), 1, 0);
        lib.hookAdd(uc, UnicornAbi.UC_HOOK_INTR, stub("onInterrupt",
                FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, ADDRESS)), 1, 0);
        lib.hookAdd(uc, UnicornAbi.UC_HOOK_MEM_INVALID, stub("onMemoryFault",
                FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, ADDRESS)), 1, 0);
        lib.hookAdd(uc, (PRECISE_READ_FAULTS ? UnicornAbi.UC_HOOK_MEM_READ : 0) | UnicornAbi.UC_HOOK_MEM_WRITE, stub("onMemoryAccess",
                FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, ADDRESS)),
                RIP_SYNC_RANGE, RIP_SYNC_RANGE);
        lib.hookAddInstruction(uc, stub("onCpuid", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)),
                UnicornAbi.UC_X86_INS_CPUID);
        lib.hookAddInstruction(uc, stub("onPortIn", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS)),
                UnicornAbi.UC_X86_INS_IN);
        lib.hookAddInstruction(uc, stub("onPortOut", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS)),
                UnicornAbi.UC_X86_INS_OUT);
    }

    private MemorySegment stub(String method, FunctionDescriptor descriptor) {
        try {
            MethodType type = descriptor.toMethodType();
            MethodHandle target = MethodHandles.lookup().findVirtual(UnicornTraps.class, method, type).bindTo(this);
            return UnicornLibrary.LINKER.upcallStub(target, descriptor, stubs);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("hook method " + method, e);
        }
    }

    /** Forgets the previous run's event; called before every uc_emu_start. */
    void reset() {
        event = RecordedEvent.NONE;
    }

    RecordedEvent event() {
        return event;
    }

    private void record(RecordedEvent e) {
        if (event instanceof RecordedEvent.None) {
            event = e;
        }
    }

    // ---- upcalls ----

    /** vmcall/vmmcall or an undefined opcode: returning false ends the run on 2.0.1 and 2.1.x alike. */
    private boolean onInvalidInstruction(MemorySegment uc, MemorySegment user) {
        try {
            record(RecordedEvent.INVALID_INSTRUCTION);
        } catch (Throwable t) {
            failed("invalid-instruction", t);
        }
        return false;
    }

    /**
     * A CPU exception or int n. The guest's IDT is never used by unicorn, so the run stops here;
     * stopping in the hook is what prevents an unfixed fault from re-executing into #DF.
     */
    private void onInterrupt(MemorySegment uc, int vector, MemorySegment user) {
        try {
            record(new RecordedEvent.Interrupt(vector, cpu.readLong(UnicornAbi.UC_X86_REG_RIP)));
            cpu.emuStop();
        } catch (Throwable t) {
            failed("interrupt", t);
        }
    }

    private boolean onMemoryFault(MemorySegment uc, int type, long address, int size, long value, MemorySegment user) {
        try {
            record(UnicornExitDecoder.memoryFault(type, address));
        } catch (Throwable t) {
            failed("memory-fault", t);
        }
        return false;
    }

    /** Never called for guest accesses (see {@link #RIP_SYNC_RANGE}); present only for its side effect. */
    private void onMemoryAccess(MemorySegment uc, int type, long address, int size, long value, MemorySegment user) {}

    /** Returns 1 to skip unicorn's built-in CPUID; 0 (built-in) if the intercept failed. */
    private int onCpuid(MemorySegment uc, MemorySegment user) {
        try {
            int leaf = (int) cpu.readLong(UnicornAbi.UC_X86_REG_EAX);
            int subleaf = (int) cpu.readLong(UnicornAbi.UC_X86_REG_ECX);
            CpuidResult r = intercepts.cpuid(leaf, subleaf);
            // 32-bit writes zero-extend into RAX..RDX, as CPUID does architecturally.
            cpu.writeLong(UnicornAbi.UC_X86_REG_EAX, r.eax() & 0xffff_ffffL);
            cpu.writeLong(UnicornAbi.UC_X86_REG_EBX, r.ebx() & 0xffff_ffffL);
            cpu.writeLong(UnicornAbi.UC_X86_REG_ECX, r.ecx() & 0xffff_ffffL);
            cpu.writeLong(UnicornAbi.UC_X86_REG_EDX, r.edx() & 0xffff_ffffL);
            return 1;
        } catch (Throwable t) {
            failed("cpuid", t);
            return 0;
        }
    }

    /** The returned value is what unicorn puts into AL/AX/EAX. A failed intercept reads as all ones. */
    private int onPortIn(MemorySegment uc, int port, int size, MemorySegment user) {
        try {
            return (int) intercepts.portIn(port & 0xffff, size);
        } catch (Throwable t) {
            failed("port-in", t);
            return -1;
        }
    }

    /**
     * A declined OUT stops the run. uc_emu_stop from an instruction hook takes effect at the end of
     * the translation block on 2.0.1, so RIP on the resulting exit is imprecise.
     */
    private void onPortOut(MemorySegment uc, int port, int size, int value, MemorySegment user) {
        try {
            long masked = size >= 4 ? value & 0xffff_ffffL : value & ((1L << (8 * size)) - 1);
            if (!intercepts.portOut(port & 0xffff, size, masked)) {
                record(new RecordedEvent.PortWrite(port & 0xffff, size, masked));
                cpu.emuStop();
            }
        } catch (Throwable t) {
            failed("port-out", t);
        }
    }

    private void failed(String hook, Throwable t) {
        if (failures++ < LOGGED_FAILURES) {
            log.warn("unicorn {} hook failed; treated as not handled", hook, t);
        }
    }

    /** Frees the upcall stubs; only after uc_close, so unicorn can no longer call them. */
    @Override
    public void close() {
        stubs.close();
    }
}
