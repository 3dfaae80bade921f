package dev.parvis.hv.vp;

import dev.parvis.hv.backend.VpEngine;
import dev.parvis.hv.memory.SpaPool;
import dev.parvis.hv.partition.Partition;
import dev.parvis.hv.synic.VpSynic;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One virtual processor. Its engine and scratch pages are touched only by the thread that owns its
 * partition (an LP running a slice, or a thread running a command inline, see {@link PartitionRunner});
 * the suspend and halt flags are written under the runner's lock and read lock-free by the LPs.
 */
public final class VirtualProcessor {
    private final Partition partition;
    private final int index;
    private final VpEngine engine;
    private final VpSynic synic;
    /**
     * Automatic, not shared: every hypercall touches these pages, and a shared session's liveness
     * check on each access showed up in profiles; the pages are freed with the VP by the GC.
     */
    private final Arena arena = Arena.ofAuto();
    /** Kernel copies of hypercall input and output: the guest cannot change input after validation. */
    private final MemorySegment inputPage = arena.allocate(4096, 4096);
    private final MemorySegment outputPage = arena.allocate(4096, 4096);
    /** The first 16 bytes of each page: all a fast hypercall uses; sliced once, not per call. */
    private final MemorySegment inputHead = inputPage.asSlice(0, 16);
    private final MemorySegment outputHead = outputPage.asSlice(0, 16);
    /** The dispatcher's memo of this VP's last hypercall control value (immutable; owner thread only). */
    private Object hypercallMemo;
    volatile boolean explicitSuspend;
    volatile boolean interceptSuspend;
    volatile boolean halted;
    volatile boolean wakePending;
    volatile boolean deleted;
    /**
     * Created but not started (InternalActivityState.StartupSuspend): every VP but the boot VP waits
     * here until HvCallStartVirtualProcessor gives it an initial context.
     */
    volatile boolean startupSuspend;
    /** Parallel runners only: the LP thread running (or handling an exit of) this VP; guarded by the LPs' lock. */
    Thread holder;
    long appliedMapGeneration = -1;
    /**
     * When the current run slice ends (System.nanoTime); 0 while the VP is not inside a run. Written
     * with release semantics by the run thread, read with acquire by the preempter: a volatile
     * store would cost a full fence twice per exit.
     */
    private long sliceDeadline;
    private static final java.lang.invoke.VarHandle DEADLINE;
    // Counters: written only by the owning LP, read racily by metrics (64-bit reads do not tear).
    private long hypercalls;
    private long exits;
    private long runNanos;

    static {
        try {
            DEADLINE = java.lang.invoke.MethodHandles.lookup().findVarHandle(VirtualProcessor.class, "sliceDeadline", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The pages behind the VP's SIM and SIEF overlays: hypervisor pages taken from the partition's deposit. */
    private final long simSpn;
    private final long siefSpn;

    /** A VP whose SIM and SIEF pages are {@code simSpn} and {@code siefSpn} of {@code pool} (zeroed). */
    public VirtualProcessor(Partition partition, int index, VpEngine engine, SpaPool pool, long simSpn, long siefSpn) {
        this.partition = partition;
        this.index = index;
        this.engine = engine;
        this.simSpn = simSpn;
        this.siefSpn = siefSpn;
        this.synic = new VpSynic(pool.pages(simSpn, 1), pool.pages(siefSpn, 1), this::wake);
    }

    public long simSpn() {
        return simSpn;
    }

    public long siefSpn() {
        return siefSpn;
    }

    public Partition partition() {
        return partition;
    }

    public int index() {
        return index;
    }

    public VpEngine engine() {
        return engine;
    }

    public VpSynic synic() {
        return synic;
    }

    public MemorySegment inputPage() {
        return inputPage;
    }

    public MemorySegment outputPage() {
        return outputPage;
    }

    public MemorySegment inputHead() {
        return inputHead;
    }

    public MemorySegment outputHead() {
        return outputHead;
    }

    public Object hypercallMemo() {
        return hypercallMemo;
    }

    public void setHypercallMemo(Object memo) {
        hypercallMemo = memo;
    }

    /** Makes a halted VP runnable because it has SynIC work; never lost, even against a concurrent halt. */
    public void wake() {
        partition.runner().activity.wake(this);
    }

    public boolean interceptSuspended() {
        return partition.runner().activity.read(() -> interceptSuspend);
    }

    public void setInterceptSuspend(boolean value) {
        partition.runner().activity.setInterceptSuspend(this, value);
    }

    public boolean explicitSuspended() {
        return partition.runner().activity.read(() -> explicitSuspend);
    }

    public void setExplicitSuspend(boolean value) {
        partition.runner().activity.setExplicitSuspend(this, value);
    }

    public boolean startupSuspended() {
        return partition.runner().activity.read(() -> startupSuspend);
    }

    public void setStartupSuspend(boolean value) {
        partition.runner().activity.setStartupSuspend(this, value);
    }

    /** Restore: halts the VP as a HLT would (unless work is pending), or leaves it runnable. */
    public void restoreHalted(boolean haltedNow) {
        if (haltedNow) {
            partition.runner().activity.halt(this);
        }
    }

    /** Whether SynIC work arrived that the VP has not yet slept through (its next HLT returns at once). */
    public boolean wakePending() {
        return partition.runner().activity.read(() -> wakePending);
    }

    public boolean isHalted() {
        return partition.runner().activity.read(() -> halted);
    }

    boolean runnable() {
        return !deleted && !explicitSuspend && !interceptSuspend && !halted && !startupSuspend;
    }

    void startSlice(long deadline) {
        DEADLINE.setRelease(this, deadline | 1);
    }

    void endSlice() {
        DEADLINE.setRelease(this, 0L);
    }

    long sliceDeadline() {
        return (long) DEADLINE.getAcquire(this);
    }

    void countExit(long nanos) {
        exits++;
        runNanos += nanos;
    }

    void countHypercall() {
        hypercalls++;
    }

    public long hypercallCount() {
        return hypercalls;
    }

    public long exitCount() {
        return exits;
    }

    /** Time spent running this VP on an LP, in nanoseconds: the backend's runs and the kernel's handling of their exits (waiting excluded). */
    public long runNanos() {
        return runNanos;
    }

    void release() {
        engine.close();
    }

    @Override
    public String toString() {
        return "VP " + partition.id() + "/" + index;
    }
}
