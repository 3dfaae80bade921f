package dev.parvis.vmbus.loopback;

import dev.parvis.vmcore.GuestMemoryView;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * A grant over loopback pages. Its segments belong to the view's own shared arena, so closing or
 * revoking the view makes every later access through them throw IllegalStateException.
 */
final class LoopbackView implements GuestMemoryView {
    private final LoopbackGuestMemory memory;
    private final long partitionId;
    private final long[] gpns;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment[] pages;
    private final MemorySegment contiguous;
    private final List<Runnable> onRevoke = new ArrayList<>();
    private boolean closed;
    private boolean revoked;

    LoopbackView(LoopbackGuestMemory memory, long partitionId, long[] gpns, MemorySegment[] backing) {
        this.memory = memory;
        this.partitionId = partitionId;
        this.gpns = gpns;
        this.pages = new MemorySegment[backing.length];
        boolean adjacent = true;
        for (int i = 0; i < backing.length; i++) {
            pages[i] = backing[i].reinterpret(LoopbackGuestMemory.PAGE, arena, null);
            if (i > 0 && backing[i].address() != backing[i - 1].address() + LoopbackGuestMemory.PAGE) {
                adjacent = false;
            }
        }
        this.contiguous = adjacent
                ? backing[0].reinterpret((long) backing.length * LoopbackGuestMemory.PAGE, arena, null) : null;
    }

    long[] gpns() {
        return gpns;
    }

    @Override
    public long partitionId() {
        return partitionId;
    }

    @Override
    public int pageCount() {
        return pages.length;
    }

    @Override
    public MemorySegment page(int index) {
        if (!arena.scope().isAlive()) {
            throw new IllegalStateException("view " + (revoked ? "revoked" : "closed"));
        }
        return pages[index];
    }

    @Override
    public MemorySegment contiguous() {
        if (!arena.scope().isAlive()) {
            throw new IllegalStateException("view " + (revoked ? "revoked" : "closed"));
        }
        return contiguous;
    }

    @Override
    public synchronized boolean isRevoked() {
        return revoked;
    }

    @Override
    public void onRevoke(Runnable action) {
        boolean runNow;
        synchronized (this) {
            runNow = revoked;
            if (!runNow) {
                onRevoke.add(action);
            }
        }
        if (runNow) {
            action.run();
        }
    }

    void revoke() {
        List<Runnable> actions;
        synchronized (this) {
            if (closed) {
                return;
            }
            revoked = true;
            actions = List.copyOf(onRevoke);
        }
        end();
        actions.forEach(Runnable::run);
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
        }
        end();
    }

    private void end() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        closeArena();
        memory.forget(this);
    }

    private void closeArena() {
        // A shared arena closes with a handshake; a thread inside an access gets IllegalStateException.
        for (int attempt = 0; ; attempt++) {
            try {
                arena.close();
                return;
            } catch (IllegalStateException e) {
                if (attempt > 1000) {
                    throw e;
                }
                Thread.onSpinWait();
            }
        }
    }
}
