package dev.parvis.hv.vp;

import dev.parvis.hv.backend.VpEngine;
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
    private final Arena arena = Arena.ofShared();
    /** Kernel copies of hypercall input and output: the guest cannot change input after validation. */
    private final MemorySegment inputPage = arena.allocate(4096, 4096);
    private final MemorySegment outputPage = arena.allocate(4096, 4096);
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

    public VirtualProcessor(Partition partition, int index, VpEngine engine) {
        this.partition = partition;
        this.index = index;
        this.engine = engine;
        this.synic = new VpSynic(partition.gpaMap(), this::wake);
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

    /** Makes a halted VP runnable because it has SynIC work; never lost, even against a concurrent halt. */
    public void wake() {
        partition.runner().wake(this);
    }

    public boolean interceptSuspended() {
        return partition.runner().withLock(() -> interceptSuspend);
    }

    public void setInterceptSuspend(boolean value) {
        partition.runner().setInterceptSuspend(this, value);
    }

    public boolean explicitSuspended() {
        return partition.runner().withLock(() -> explicitSuspend);
    }

    public void setExplicitSuspend(boolean value) {
        partition.runner().setExplicitSuspend(this, value);
    }

    public boolean startupSuspended() {
        return partition.runner().withLock(() -> startupSuspend);
    }

    public void setStartupSuspend(boolean value) {
        partition.runner().setStartupSuspend(this, value);
    }

    public boolean isHalted() {
        return partition.runner().withLock(() -> halted);
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

    /** Time spent inside the backend's run on an LP, in nanoseconds (exit handling and waiting excluded). */
    public long runNanos() {
        return runNanos;
    }

    void release() {
        engine.close();
        arena.close();
    }

    @Override
    public String toString() {
        return "VP " + partition.id() + "/" + index;
    }
}
