package dev.parvis.vmbus.loopback;

import dev.parvis.vmbus.client.GuestPageAllocator;
import dev.parvis.vmbus.client.GuestPages;
import dev.parvis.vmcore.GrantRefusedException;
import dev.parvis.vmcore.GuestMemoryGrants;
import dev.parvis.vmcore.GuestMemoryView;
import dev.parvis.vmcore.GuestRamWindow;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Fake guest memory for one child: page-aligned native pages with made-up guest page numbers, and
 * the grant callback over them. Every allocation is fenced by a guard page on each side that has
 * no GPN (so no GPADL can name it) and holds a known pattern; {@link #guardsIntact} proves nothing
 * wrote outside the pages handed out. Views are revocable: freeing a page revokes every view that
 * covers it, and accesses through a closed or revoked view throw IllegalStateException.
 */
public final class LoopbackGuestMemory implements GuestMemoryGrants, GuestPageAllocator, AutoCloseable {
    static final int PAGE = 4096;
    private static final byte GUARD = (byte) 0xA5;

    private final long partitionId;
    private final Arena arena = Arena.ofShared();
    private final Map<Long, MemorySegment> mapped = new HashMap<>();
    private final Map<Long, Set<LoopbackView>> viewsByPage = new HashMap<>();
    private final List<MemorySegment> guards = new ArrayList<>();
    private final List<LoopbackWindow> windows = new ArrayList<>();
    private GuestRamWindow shared;
    private long nextGpn = 0x1000;
    private int openViews;

    public LoopbackGuestMemory(long partitionId) {
        this.partitionId = partitionId;
    }

    public long partitionId() {
        return partitionId;
    }

    @Override
    public synchronized GuestPages allocate(int pageCount) {
        if (pageCount < 1) {
            throw new IllegalArgumentException("page count " + pageCount);
        }
        MemorySegment block = arena.allocate((long) (pageCount + 2) * PAGE, PAGE);
        MemorySegment before = block.asSlice(0, PAGE);
        MemorySegment after = block.asSlice((long) (pageCount + 1) * PAGE, PAGE);
        before.fill(GUARD);
        after.fill(GUARD);
        guards.add(before);
        guards.add(after);
        long[] gpns = new long[pageCount];
        nextGpn++; // the guard page before: no GPN
        for (int i = 0; i < pageCount; i++) {
            gpns[i] = nextGpn++;
            mapped.put(gpns[i], block.asSlice((long) (i + 1) * PAGE, PAGE));
        }
        nextGpn++; // the guard page after
        return new Pages(gpns, block.asSlice(PAGE, (long) pageCount * PAGE));
    }

    /** True when every guard page still holds its pattern. */
    public synchronized boolean guardsIntact() {
        for (MemorySegment g : guards) {
            for (long i = 0; i < PAGE; i++) {
                if (g.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i) != GUARD) {
                    return false;
                }
            }
        }
        return true;
    }

    /** A GPN no allocation covers (for hostile GPADLs). */
    public synchronized long unmappedGpn() {
        return nextGpn + 100;
    }

    public synchronized boolean isMapped(long gpn) {
        return mapped.containsKey(gpn);
    }

    /** Views opened and not yet closed or revoked. */
    public synchronized int openViewCount() {
        return openViews;
    }

    @Override
    public synchronized GuestMemoryView open(long partitionId, long[] gpns) {
        return open(partitionId, gpns, false);
    }

    /** The loopback guest runs no code of its own, so it is always quiescent: a snapshot is a read-only view. */
    @Override
    public synchronized GuestMemoryView openSnapshot(long partitionId, long[] gpns) {
        return open(partitionId, gpns, true);
    }

    private GuestMemoryView open(long partitionId, long[] gpns, boolean readOnly) {
        if (partitionId != this.partitionId) {
            throw new GrantRefusedException("no partition " + partitionId);
        }
        if (gpns.length == 0) {
            throw new GrantRefusedException("no pages");
        }
        MemorySegment[] pages = new MemorySegment[gpns.length];
        for (int i = 0; i < gpns.length; i++) {
            pages[i] = mapped.get(gpns[i]);
            if (pages[i] != null && readOnly) {
                pages[i] = pages[i].asReadOnly();
            }
            if (pages[i] == null) {
                throw new GrantRefusedException("page 0x" + Long.toHexString(gpns[i]) + " is not mapped in partition "
                        + partitionId);
            }
        }
        LoopbackView view = new LoopbackView(this, partitionId, gpns.clone(), pages);
        for (long gpn : gpns) {
            viewsByPage.computeIfAbsent(gpn, k -> new HashSet<>()).add(view);
        }
        openViews++;
        return view;
    }

    @Override
    public synchronized GuestRamWindow openWindow(long partitionId) {
        if (partitionId != this.partitionId) {
            throw new GrantRefusedException("no partition " + partitionId);
        }
        LoopbackWindow window = new LoopbackWindow(this);
        windows.add(window);
        return window;
    }

    /** One window for every caller (the loopback's server effects): opened on first use, closed with this memory. */
    public synchronized GuestRamWindow sharedWindow() {
        if (shared == null) {
            shared = openWindow(partitionId);
        }
        return shared;
    }

    /** The backing page of a GPN, or null; the window calls it holding this object's lock. */
    MemorySegment backing(long gpn) {
        return mapped.get(gpn);
    }

    synchronized void forget(LoopbackWindow window) {
        windows.remove(window);
    }

    synchronized void forget(LoopbackView view) {
        for (long gpn : view.gpns()) {
            Set<LoopbackView> set = viewsByPage.get(gpn);
            if (set != null && set.remove(view) && set.isEmpty()) {
                viewsByPage.remove(gpn);
            }
        }
        openViews--;
    }

    /** Unmaps {@code gpns}: later grants of them are refused and views covering them are revoked. */
    public void unmap(long[] gpns) {
        Set<LoopbackView> revoke = new HashSet<>();
        synchronized (this) {
            // Under the lock every window resolves under: no page is bound after it left.
            windows.forEach(LoopbackWindow::endEpoch);
            for (long gpn : gpns) {
                mapped.remove(gpn);
                Set<LoopbackView> set = viewsByPage.get(gpn);
                if (set != null) {
                    revoke.addAll(set);
                }
            }
        }
        revoke.forEach(LoopbackView::revoke);
    }

    @Override
    public void close() {
        List<LoopbackView> all;
        synchronized (this) {
            Set<LoopbackView> set = new HashSet<>();
            viewsByPage.values().forEach(set::addAll);
            all = List.copyOf(set);
        }
        all.forEach(LoopbackView::revoke);
        List<LoopbackWindow> open;
        synchronized (this) {
            open = List.copyOf(windows);
        }
        open.forEach(LoopbackWindow::close);
        arena.close();
    }

    private final class Pages implements GuestPages {
        private final long[] gpns;
        private final MemorySegment bytes;
        private boolean closed;

        Pages(long[] gpns, MemorySegment bytes) {
            this.gpns = gpns;
            this.bytes = bytes;
        }

        @Override
        public int pageCount() {
            return gpns.length;
        }

        @Override
        public long[] gpns() {
            return gpns.clone();
        }

        @Override
        public MemorySegment page(int index) {
            return bytes.asSlice((long) index * PAGE, PAGE);
        }

        @Override
        public MemorySegment contiguous() {
            return bytes;
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                unmap(gpns);
            }
        }
    }
}
