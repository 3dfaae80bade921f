package dev.parvis.hv.memory;

import dev.parvis.vmcore.InsufficientMemoryException;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * All system-physical memory: one anonymous mapping from the OS, 4 KiB pages numbered from 0 (the
 * SPN). Each page has one owner at a time ({@link PageState}); pages move between owners only
 * through the transitions below, so a page can never be reachable from two child partitions.
 *
 * <p>Root GPNs are identity-mapped onto SPNs, as in Hyper-V's root partition.
 */
public final class SpaPool implements AutoCloseable {
    public static final long PAGE_SIZE = 4096;
    private static final long NO_OWNER = 0;

    private final MemorySegment memory;
    private final long pageCount;
    private final PageState[] states;
    /** Partition id that holds each DEPOSITED or GUEST page. */
    private final long[] holders;
    private final long[] counts = new long[PageState.values().length];
    private long nextFit;
    private final RootViews rootViews = new RootViews();
    /** Each partition's deposit: kept beside states/holders so no question about one partition scans the pool. */
    private final Map<Long, Deposit> deposits = new HashMap<>();
    /** requireAll's duplicate check: a page whose stamp is the current check's was named twice. */
    private final int[] seenStamp;
    private int stamp;

    public SpaPool(long bytes) {
        if (bytes <= 0 || bytes % PAGE_SIZE != 0 || bytes / PAGE_SIZE > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("pool size must be a positive multiple of 4096: " + bytes);
        }
        this.memory = OsMemory.map(bytes);
        this.pageCount = bytes / PAGE_SIZE;
        this.states = new PageState[(int) pageCount];
        this.holders = new long[(int) pageCount];
        this.seenStamp = new int[(int) pageCount];
        Arrays.fill(states, PageState.ROOT_FREE);
        counts[PageState.ROOT_FREE.ordinal()] = pageCount;
    }

    public long pageCount() {
        return pageCount;
    }

    /** The host memory of {@code count} pages starting at {@code spn}. Kernel-internal. */
    public MemorySegment pages(long spn, long count) {
        checkRange(spn, count);
        return memory.asSlice(spn * PAGE_SIZE, count * PAGE_SIZE);
    }

    public boolean contains(long spn) {
        return spn >= 0 && spn < pageCount;
    }

    public synchronized PageState state(long spn) {
        checkRange(spn, 1);
        return states[(int) spn];
    }

    public synchronized long holder(long spn) {
        checkRange(spn, 1);
        return holders[(int) spn];
    }

    /** Pages in use by the hypervisor for a partition count as deposited: they are. */
    public synchronized PoolStatistics statistics() {
        return new PoolStatistics(pageCount, counts[PageState.ROOT_FREE.ordinal()], counts[PageState.ROOT_ALLOCATED.ordinal()],
                counts[PageState.DEPOSITED.ordinal()] + counts[PageState.HYPERVISOR.ordinal()], counts[PageState.GUEST.ordinal()]);
    }

    /** The root's allocator: contiguous pages when a run is free (next fit), scattered otherwise. */
    public synchronized long[] allocateRoot(int count) {
        if (count <= 0 || counts[PageState.ROOT_FREE.ordinal()] < count) {
            throw new InsufficientMemoryException("pool has %d free pages, %d requested"
                    .formatted(counts[PageState.ROOT_FREE.ordinal()], count));
        }
        long start = findFreeRun(count);
        long[] spns = new long[count];
        if (start >= 0) {
            for (int i = 0; i < count; i++) {
                spns[i] = start + i;
            }
        } else {
            int n = 0;
            for (long spn = 0; n < count; spn++) {
                if (states[(int) spn] == PageState.ROOT_FREE) {
                    spns[n++] = spn;
                }
            }
        }
        for (long spn : spns) {
            move(spn, PageState.ROOT_ALLOCATED, NO_OWNER);
        }
        zero(spns);
        return spns;
    }

    /**
     * Hands the pages over zeroed by giving them back to the OS, one madvise per contiguous run:
     * they read as zero and are committed again only when written. Filling them instead faulted in
     * and wrote every page of a new VM's RAM before its first instruction (two thirds of a 16 MiB
     * load) and made all of it resident whether the guest ever touched it or not.
     */
    private void zero(long[] spns) {
        int runStart = 0;
        for (int i = 1; i <= spns.length; i++) {
            if (i == spns.length || spns[i] != spns[i - 1] + 1) {
                OsMemory.discard(pages(spns[runStart], i - runStart));
                runStart = i;
            }
        }
    }

    public synchronized void freeRoot(long[] spns) throws PageStateException {
        requireAll(spns, PageState.ROOT_ALLOCATED, NO_OWNER);
        for (long spn : spns) {
            move(spn, PageState.ROOT_FREE, NO_OWNER);
        }
    }

    /** DepositMemory: root pages become the hypervisor's, accounted to {@code partitionId}. */
    public synchronized void deposit(long[] spns, long partitionId) throws PageStateException {
        requireAll(spns, PageState.ROOT_ALLOCATED, NO_OWNER);
        rootViews.revoke(spns);
        Deposit d = deposits.computeIfAbsent(partitionId, id -> new Deposit());
        for (long spn : spns) {
            move(spn, PageState.DEPOSITED, partitionId);
            d.push(spn);
        }
    }

    /** WithdrawMemory: up to {@code max} of a partition's deposited pages go back to the root. */
    public synchronized long[] withdraw(long partitionId, int max) {
        Deposit d = deposits.get(partitionId);
        int n = d == null ? 0 : Math.min(max, d.spare);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            long spn = d.pop();
            scrub(spn);
            move(spn, PageState.ROOT_ALLOCATED, NO_OWNER);
            out[i] = spn;
        }
        forgetIfEmpty(partitionId, d);
        return out;
    }

    /** Pages deposited to the partition, those the hypervisor uses for it included. */
    public synchronized long depositedTo(long partitionId) {
        Deposit d = deposits.get(partitionId);
        return d == null ? 0 : d.spare + d.inUse;
    }

    /**
     * Takes one of the partition's deposited pages into the hypervisor's use (an overlay page),
     * zeroed. The deposit rule reserves these pages, so a partition always has one when it needs it.
     */
    public synchronized long takeDeposited(long partitionId) throws PageStateException {
        Deposit d = deposits.get(partitionId);
        if (d == null || d.spare == 0) {
            throw new PageStateException("partition %d has no spare deposited page".formatted(partitionId));
        }
        long spn = d.pop();
        move(spn, PageState.HYPERVISOR, partitionId);
        d.inUse++;
        pages(spn, 1).fill((byte) 0);
        return spn;
    }

    /** Gives a page the hypervisor used back to the partition's deposit, scrubbed. */
    public synchronized void returnToDeposit(long spn, long partitionId) throws PageStateException {
        requireAll(new long[] {spn}, PageState.HYPERVISOR, partitionId);
        scrub(spn);
        move(spn, PageState.DEPOSITED, partitionId);
        Deposit d = deposits.get(partitionId);
        d.inUse--;
        d.push(spn);
    }

    private void forgetIfEmpty(long partitionId, Deposit d) {
        if (d != null && d.spare == 0 && d.inUse == 0) {
            deposits.remove(partitionId);
        }
    }

    /** MapGpaPages: root pages become one child's memory; the root's views of them are revoked. */
    public synchronized void assignToGuest(long[] spns, long partitionId) throws PageStateException {
        requireAll(spns, PageState.ROOT_ALLOCATED, NO_OWNER);
        rootViews.revoke(spns);
        for (long spn : spns) {
            move(spn, PageState.GUEST, partitionId);
        }
    }

    /**
     * Partition deletion or a rep UnmapGpaPages: the pages are scrubbed (one madvise per run of
     * consecutive SPNs), then returned to the root. All or none: a page in the wrong state refuses them all.
     */
    public synchronized void releaseFromGuest(long[] spns, long partitionId) throws PageStateException {
        requireAll(spns, PageState.GUEST, partitionId);
        long[] sorted = spns.clone();
        Arrays.sort(sorted);
        zero(sorted);
        for (long spn : spns) {
            move(spn, PageState.ROOT_ALLOCATED, NO_OWNER);
        }
    }

    /** One page of {@link #releaseFromGuest(long[], long)}. */
    public void releaseFromGuest(long spn, long partitionId) throws PageStateException {
        releaseFromGuest(new long[] {spn}, partitionId);
    }

    /** Opens a revocable view of root-allocated pages. */
    public synchronized RootViews.View openRootView(long[] spns) throws PageStateException {
        requireAll(spns, PageState.ROOT_ALLOCATED, NO_OWNER);
        MemorySegment[] segments = new MemorySegment[spns.length];
        for (int i = 0; i < spns.length; i++) {
            segments[i] = pages(spns[i], 1);
        }
        return rootViews.open(spns, segments);
    }

    @Override
    public synchronized void close() {
        rootViews.revokeAll();
        OsMemory.unmap(memory);
    }

    private void scrub(long spn) {
        // Zero before the page changes hands, so no partition ever sees another's data.
        OsMemory.discard(pages(spn, 1));
    }

    private void move(long spn, PageState to, long holder) {
        int i = (int) spn;
        counts[states[i].ordinal()]--;
        counts[to.ordinal()]++;
        states[i] = to;
        holders[i] = holder;
    }

    private void requireAll(long[] spns, PageState state, long holder) throws PageStateException {
        for (long spn : spns) {
            if (!contains(spn)) {
                throw new PageStateException("page 0x%x is outside the pool".formatted(spn));
            }
            if (states[(int) spn] != state || holders[(int) spn] != holder) {
                throw new PageStateException("page 0x%x is %s, not %s".formatted(spn, states[(int) spn], state));
            }
        }
        if (++stamp == 0) { // wrapped: no stamp left from an earlier check may match
            Arrays.fill(seenStamp, 0);
            stamp = 1;
        }
        for (long spn : spns) {
            if (seenStamp[(int) spn] == stamp) {
                throw new PageStateException("page list names a page twice");
            }
            seenStamp[(int) spn] = stamp;
        }
    }

    private long findFreeRun(int count) {
        for (int pass = 0; pass < 2; pass++) {
            long from = pass == 0 ? nextFit : 0;
            long run = 0;
            for (long spn = from; spn < pageCount; spn++) {
                run = states[(int) spn] == PageState.ROOT_FREE ? run + 1 : 0;
                if (run == count) {
                    nextFit = spn + 1;
                    return spn - count + 1;
                }
            }
        }
        return -1;
    }

    private void checkRange(long spn, long count) {
        if (spn < 0 || count < 0 || spn + count > pageCount) {
            throw new IndexOutOfBoundsException("pages 0x%x+%d outside the pool".formatted(spn, count));
        }
    }

    /** One partition's deposit: its spare pages (a stack) and how many the hypervisor uses for it. */
    private static final class Deposit {
        private long[] spareSpns = new long[16];
        int spare;
        long inUse;

        void push(long spn) {
            if (spare == spareSpns.length) {
                spareSpns = Arrays.copyOf(spareSpns, spare * 2);
            }
            spareSpns[spare++] = spn;
        }

        long pop() {
            return spareSpns[--spare];
        }
    }
}
