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

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The Java upcalls of one engine: CPUID and port I/O, answered by kernel policy while the guest runs.
 * Every other hook is native (src/main/c/unicorn_vp.c). The shim calls these through trampolines
 * that tell the emulator guard a Java frame is active, so a fault in them stays the JVM's.
 *
 * <p>Every upcall body catches Throwable, because an exception escaping an upcall ends the JVM. The
 * stubs live in a shared arena owned by this object, closed only after the engine is closed.
 */
final class UnicornTraps implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UnicornTraps.class);
    private static final int LOGGED_FAILURES = 10;

    /**
     * The range of the do-nothing UC_HOOK_MEM_READ/WRITE hook. Its mere presence makes 2.0.1 store
     * RIP before every guest load and store (translate.c: "Unicorn: sync EIP"), which is what gives
     * memory faults a precise RIP. The range is one non-canonical page no guest access can reach.
     * {@code -Dparvis.unicorn.preciseReadFaults=false} drops the read half (load faults then report
     * the block start as RIP: not resumable).
     */
    static final long RIP_SYNC_RANGE = 0xFFFF_FFFF_FFFF_F000L;
    static final boolean PRECISE_READ_FAULTS =
            !"false".equalsIgnoreCase(System.getProperty("parvis.unicorn.preciseReadFaults"));

    private final VpIntercepts intercepts;
    private final Arena stubs = Arena.ofShared();
    final MemorySegment cpuidStub, portInStub, portOutStub;
    private UnicornCpu cpu;
    private int failures;

    UnicornTraps(VpIntercepts intercepts) {
        this.intercepts = intercepts;
        this.cpuidStub = stub("onCpuid", FunctionDescriptor.of(JAVA_INT));
        this.portInStub = stub("onPortIn", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
        this.portOutStub = stub("onPortOut", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    }

    /** The engine the CPUID upcall reads and writes; set once it is open. */
    void bind(UnicornCpu cpu) {
        this.cpu = cpu;
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

    /** Returns 1 to skip unicorn's built-in CPUID; 0 (built-in) if the intercept failed. */
    private int onCpuid() {
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
    private int onPortIn(int port, int size) {
        try {
            return (int) intercepts.portIn(port & 0xffff, size);
        } catch (Throwable t) {
            failed("port-in", t);
            return -1;
        }
    }

    /** 1 when the kernel declined the write: the shim records the exit and stops the run. */
    private int onPortOut(int port, int size, int value) {
        try {
            long masked = size >= 4 ? value & 0xffff_ffffL : value & ((1L << (8 * size)) - 1);
            return intercepts.portOut(port & 0xffff, size, masked) ? 0 : 1;
        } catch (Throwable t) {
            failed("port-out", t);
            return 0;
        }
    }

    private void failed(String hook, Throwable t) {
        if (failures++ < LOGGED_FAILURES) {
            log.warn("unicorn {} hook failed; treated as not handled", hook, t);
        }
    }

    /** Frees the upcall stubs; only after the engine is closed, so unicorn can no longer call them. */
    @Override
    public void close() {
        stubs.close();
    }
}
