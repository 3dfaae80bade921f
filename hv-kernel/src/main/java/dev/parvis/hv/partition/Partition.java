package dev.parvis.hv.partition;

import dev.parvis.abi.hv.HvConstants;
import dev.parvis.hv.memory.GpaMap;
import dev.parvis.hv.vp.PartitionRunner;
import dev.parvis.hv.vp.VirtualProcessor;
import dev.parvis.vmcore.log.TokenBucket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One partition. The root partition has no GPA map, VPs or runner: it is the host JVM, and its
 * hypercalls arrive through the root gateway.
 */
public final class Partition {
    public static final int MAX_VPS = HvConstants.MAX_VPS_PER_PARTITION;
    /** Deposited pages a partition needs before InitializePartition (its control page, its hypercall overlay page). */
    public static final int BASE_DEPOSIT_PAGES = HvConstants.DEPOSIT_PAGES_PER_PARTITION;
    /** Deposited pages each VP needs (its state page, its SIM and SIEF overlay pages). */
    public static final int DEPOSIT_PAGES_PER_VP = HvConstants.DEPOSIT_PAGES_PER_VP;
    /** Debug output (HvCallPostDebugData) a partition may post at once, and per second sustained: host choices. */
    public static final int DEBUG_OUTPUT_BURST_BYTES = 1 << 20;
    public static final int DEBUG_OUTPUT_BYTES_PER_SECOND = 256 << 10;

    private final long id;
    private final long privileges;
    private final GpaMap gpaMap;
    private final Object timeLock = new Object();
    /** System.nanoTime at reference time 0, while not frozen. */
    private long timeBase = System.nanoTime();
    private boolean timeFrozen;
    private long frozenTime;
    private volatile PartitionState state = PartitionState.CREATED;
    private final VirtualProcessor[] vps = new VirtualProcessor[MAX_VPS];
    /** The live VPs in index order, rebuilt on change: the scheduler reads it on every exit. */
    private volatile VirtualProcessor[] live = new VirtualProcessor[0];
    private final PartitionRunner runner;
    private final Set<Integer> ioPortIntercepts = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<byte[]> debugInput = new ConcurrentLinkedQueue<>();
    /** Bytes of debug output the partition may still post (HvCallPostDebugData). */
    private final TokenBucket debugOutputBudget = new TokenBucket(DEBUG_OUTPUT_BURST_BYTES, DEBUG_OUTPUT_BYTES_PER_SECOND);
    private volatile long guestOsId;
    /** Partition property SUSPEND: no VP of a suspended partition runs. */
    private volatile boolean suspended;
    private volatile long hypercallRegister;
    /** The hypervisor page behind the hypercall overlay while it is enabled, else -1. */
    private volatile long hypercallPageSpn = -1;
    private final Overlays overlays;
    private final AtomicLong intercepts = new AtomicLong();
    /** Why the hypervisor stopped running the partition (state FAILED), or null. */
    private volatile String failureReason;
    /** CPU time (the LP threads' own CPU clock) spent running this partition's slices: guest code and exit handling. */
    private final AtomicLong cpuNanos = new AtomicLong();
    /** The root's mapped statistics page (HvCallMapStatsPage), or null. */
    private volatile StatsPage statsPage;

    public Partition(long id, long privileges, GpaMap gpaMap, PartitionRunner runner) {
        this.id = id;
        this.privileges = privileges;
        this.gpaMap = gpaMap;
        this.runner = runner;
        this.overlays = gpaMap == null ? null : new Overlays(gpaMap);
    }

    public long id() {
        return id;
    }

    public long privileges() {
        return privileges;
    }

    public boolean has(long privilege) {
        return (privileges & privilege) == privilege;
    }

    public boolean isRoot() {
        return gpaMap == null;
    }

    public GpaMap gpaMap() {
        return gpaMap;
    }

    public PartitionRunner runner() {
        return runner;
    }

    public PartitionState state() {
        return state;
    }

    public void setState(PartitionState state) {
        this.state = state;
    }

    /**
     * Moves a live partition to FAILED with the reason; false when it was not live (already failed,
     * or deleted), so a failure is reported once.
     */
    public synchronized boolean fail(String reason) {
        if (state == PartitionState.FAILED || state == PartitionState.DELETED) {
            return false;
        }
        failureReason = reason;
        state = PartitionState.FAILED;
        return true;
    }

    /** Why the partition is FAILED, or null. */
    public String failureReason() {
        return failureReason;
    }

    /** Partition reference time in 100 ns units since creation (TIME_REF_COUNT), unless frozen or set. */
    public long referenceTime() {
        synchronized (timeLock) {
            return timeFrozen ? frozenTime : (System.nanoTime() - timeBase) / 100;
        }
    }

    /** TIME_FREEZE: while frozen the reference time stands still; thawing continues from the frozen value. */
    public void setTimeFrozen(boolean frozen) {
        synchronized (timeLock) {
            if (frozen == timeFrozen) {
                return;
            }
            if (frozen) {
                frozenTime = (System.nanoTime() - timeBase) / 100;
            } else {
                timeBase = System.nanoTime() - frozenTime * 100;
            }
            timeFrozen = frozen;
        }
    }

    public boolean isTimeFrozen() {
        synchronized (timeLock) {
            return timeFrozen;
        }
    }

    /** REFERENCE_TIME set: only while frozen; the time continues from {@code value} once thawed. */
    public boolean setReferenceTime(long value) {
        synchronized (timeLock) {
            if (!timeFrozen) {
                return false;
            }
            frozenTime = value;
            return true;
        }
    }

    public synchronized VirtualProcessor vp(int index) {
        return index >= 0 && index < MAX_VPS ? vps[index] : null;
    }

    public synchronized void setVp(int index, VirtualProcessor vp) {
        vps[index] = vp;
        live = java.util.Arrays.stream(vps).filter(java.util.Objects::nonNull).toArray(VirtualProcessor[]::new);
    }

    /** The live VPs; the array is shared and must not be modified. */
    public VirtualProcessor[] vps() {
        return live;
    }

    public int vpCount() {
        return live.length;
    }

    public Set<Integer> ioPortIntercepts() {
        return ioPortIntercepts;
    }

    public ConcurrentLinkedQueue<byte[]> debugInput() {
        return debugInput;
    }

    public TokenBucket debugOutputBudget() {
        return debugOutputBudget;
    }

    public boolean isSuspended() {
        return suspended;
    }

    public void setSuspended(boolean value) {
        suspended = value;
    }

    public long guestOsId() {
        return guestOsId;
    }

    public void setGuestOsId(long value) {
        guestOsId = value;
    }

    public long hypercallRegister() {
        return hypercallRegister;
    }

    public void setHypercallRegister(long value) {
        hypercallRegister = value;
    }

    /** Where the partition's overlay pages lie; null for the root. */
    public Overlays overlays() {
        return overlays;
    }

    /**
     * The pages the hypervisor holds for the partition's guest (its hypercall page, each VP's SIM and
     * SIEF pages): taken from its deposit, changed by the hypervisor and the guest as it runs.
     */
    public long[] hypervisorPages() {
        VirtualProcessor[] now = live;
        long[] spns = new long[2 * now.length + 1];
        int n = 0;
        for (VirtualProcessor vp : now) {
            spns[n++] = vp.simSpn();
            spns[n++] = vp.siefSpn();
        }
        long hypercall = hypercallPageSpn;
        if (hypercall >= 0) {
            spns[n++] = hypercall;
        }
        return java.util.Arrays.copyOf(spns, n);
    }

    public long hypercallPageSpn() {
        return hypercallPageSpn;
    }

    public void setHypercallPageSpn(long spn) {
        hypercallPageSpn = spn;
    }

    /** Hypercalls issued by the partition's VPs so far. */
    public long hypercallCount() {
        long n = 0;
        for (VirtualProcessor vp : live) {
            n += vp.hypercallCount();
        }
        return n;
    }

    /**
     * CPU time the LP threads spent on this partition's slices, by the threads' CPU clock: time the
     * host took the processor away from an LP is not in it (a wall-clock measure would count it).
     */
    public AtomicLong cpuNanos() {
        return cpuNanos;
    }

    public AtomicLong intercepts() {
        return intercepts;
    }

    @Override
    public String toString() {
        return "partition " + id;
    }

    public StatsPage statsPage() {
        return statsPage;
    }

    public void setStatsPage(StatsPage page) {
        this.statsPage = page;
    }
}
