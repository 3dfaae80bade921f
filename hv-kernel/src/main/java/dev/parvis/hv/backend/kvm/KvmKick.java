package dev.parvis.hv.backend.kvm;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.parvis.hv.backend.NativeShim;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Preemption of one vCPU: {@code kvm_run.immediate_exit} plus a signal to the thread inside KVM_RUN
 * (src/main/c/kvm_kick.c). A kick sets the pending flag, then immediate_exit, then signals the thread
 * if one is inside (or entering) KVM_RUN: a kick before KVM_RUN makes it return at once, one during
 * it interrupts the guest, one after it stays pending for the next run. The flag is sticky until a
 * run consumes it, so no kick is lost; the guest is only ever stopped between instructions, so none
 * corrupts its state.
 */
final class KvmKick {
    private static final MethodHandle INSTALL;
    private static final MethodHandle GETTID;
    private static final MethodHandle KICK;
    private static final int SIGNAL;
    private static final VarHandle BYTE = ValueLayout.JAVA_BYTE.varHandle();
    private static final ThreadLocal<Integer> TID = ThreadLocal.withInitial(KvmKick::gettid);

    static {
        SymbolLookup shim = NativeShim.load("libparvis-kvm-kick.so");
        Linker linker = Linker.nativeLinker();
        INSTALL = linker.downcallHandle(shim.find("parvis_kvm_kick_install").orElseThrow(), FunctionDescriptor.of(JAVA_INT));
        GETTID = linker.downcallHandle(shim.find("parvis_kvm_gettid").orElseThrow(), FunctionDescriptor.of(JAVA_INT),
                Linker.Option.critical(false));
        KICK = linker.downcallHandle(shim.find("parvis_kvm_kick").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
        try {
            SIGNAL = (int) INSTALL.invokeExact();
        } catch (Throwable t) {
            throw new ExceptionInInitializerError(t);
        }
        if (SIGNAL < 0) {
            throw new ExceptionInInitializerError("sigaction for the KVM kick signal failed: errno " + -SIGNAL);
        }
    }

    private final MemorySegment run;
    private final AtomicBoolean pending = new AtomicBoolean();
    /** Kernel id of the thread inside KVM_RUN, 0 outside. */
    private volatile int runningTid;
    private volatile boolean closed;
    /** The VP's thread only: the next KVM_RUN only completes an exit (immediate_exit is meant to be set). */
    private boolean completing;
    private final AtomicInteger kicking = new AtomicInteger();

    KvmKick(MemorySegment run) {
        this.run = run;
    }

    /** Any thread: stop the current or next run. */
    void request() {
        kicking.incrementAndGet();
        try {
            if (closed) {
                return;
            }
            pending.set(true);
            BYTE.setVolatile(run, KvmAbi.RUN_IMMEDIATE_EXIT, (byte) 1);
            int tid = runningTid;
            if (tid != 0) {
                int ignored = (int) KICK.invokeExact(tid, SIGNAL);
            }
        } catch (Throwable t) {
            throw new IllegalStateException("KVM kick failed", t);
        } finally {
            kicking.decrementAndGet();
        }
    }

    boolean pending() {
        return pending.get();
    }

    /** The VP's thread: true (once) if a kick is pending; clears it and immediate_exit. */
    boolean consume() {
        if (!pending.getAndSet(false)) {
            return false;
        }
        BYTE.setVolatile(run, KvmAbi.RUN_IMMEDIATE_EXIT, (byte) 0);
        return true;
    }

    /** Sets immediate_exit for a KVM_RUN that only completes a pending I/O or MMIO exit. */
    void forCompletion(boolean on) {
        completing = on;
        if (on) {
            BYTE.setVolatile(run, KvmAbi.RUN_IMMEDIATE_EXIT, (byte) 1);
        } else if (!pending.get()) {
            BYTE.setVolatile(run, KvmAbi.RUN_IMMEDIATE_EXIT, (byte) 0);
        }
    }

    /**
     * The VP's thread, just before KVM_RUN. A kick stores the pending flag, then immediate_exit; a
     * run that consumed the flag between the two stores leaves immediate_exit set with nothing
     * pending, and every later KVM_RUN would return at once without a kick to consume: the guest
     * would never run again. So immediate_exit is cleared here unless a kick is pending, and set
     * again if one arrived meanwhile. A kick racing with this still stops the run: the thread id is
     * published before the flag is read, so a kicker that stored the flag too late to be seen here
     * sees the id and signals (and repeats while its kick is pending, see VpPreempter).
     */
    void enter() {
        runningTid = TID.get();
        if (!completing && !pending.get()) {
            BYTE.setVolatile(run, KvmAbi.RUN_IMMEDIATE_EXIT, (byte) 0);
            if (pending.get()) {
                BYTE.setVolatile(run, KvmAbi.RUN_IMMEDIATE_EXIT, (byte) 1);
            }
        }
    }

    void leave() {
        runningTid = 0;
    }

    /** After this returns no kick touches kvm_run again, so it may be unmapped. */
    void close() {
        closed = true;
        while (kicking.get() != 0) {
            Thread.onSpinWait();
        }
    }

    private static int gettid() {
        try {
            return (int) GETTID.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
