package dev.parvis.vmcore;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.locks.LockSupport;

/**
 * The epochs of a {@link GuestRamWindow}: one shared arena at a time, made when the epoch's first
 * page is bound and closed when the epoch ends. Closing waits out an NIO call still reading or
 * writing a bound page (it holds the arena, as DMA pins a page), so once {@link #end} returns no
 * thread can reach a page of the ended epoch.
 */
public final class GuestRamEpochs {
    private static final long PAGE = 4096;
    private static final long HELD_RETRY_NANOS = 20_000;

    private Arena epoch;
    private boolean closed;

    /**
     * Binds host pages (each 4096 bytes, in order) to the current epoch: entry {@code i} starts at
     * page {@code i} and extends over the following pages that are contiguous with it in host memory.
     * The caller holds the lock under which pages leave the guest, so none left since it checked them.
     */
    public synchronized MemorySegment[] bind(MemorySegment[] pages) {
        if (closed) {
            throw new IllegalStateException("the window is closed");
        }
        if (epoch == null) {
            epoch = Arena.ofShared();
        }
        MemorySegment[] out = new MemorySegment[pages.length];
        int start = 0;
        while (start < pages.length) {
            int end = start + 1;
            while (end < pages.length && pages[end].address() == pages[end - 1].address() + PAGE) {
                end++;
            }
            MemorySegment run = pages[start].reinterpret((end - start) * PAGE, epoch, null);
            out[start] = run;
            for (int i = start + 1; i < end; i++) {
                out[i] = run.asSlice((i - start) * PAGE);
            }
            start = end;
        }
        return out;
    }

    /** Ends the current epoch (if one began): every segment bound in it dies. */
    public void end() {
        Arena ending;
        synchronized (this) {
            ending = epoch;
            epoch = null;
        }
        while (ending != null && ending.scope().isAlive()) {
            try {
                ending.close();
            } catch (IllegalStateException held) {
                LockSupport.parkNanos(HELD_RETRY_NANOS);
            }
        }
    }

    /** Ends the current epoch and refuses every later bind; true the first time. */
    public boolean close() {
        synchronized (this) {
            if (closed) {
                return false;
            }
            closed = true;
        }
        end();
        return true;
    }
}
