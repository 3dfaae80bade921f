package dev.parvis.hv.memory;

import dev.parvis.vmcore.RootPageView;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The open windows the root has onto its own pages. Each window's segments belong to a shared
 * arena; closing the arena revokes every segment at once, so a root access to a page that has left
 * the root fails loudly instead of touching a child's memory.
 */
public final class RootViews {
    private final List<View> open = new ArrayList<>();

    synchronized View open(long[] spns, MemorySegment[] pages) {
        View view = new View(spns.clone(), pages);
        open.add(view);
        return view;
    }

    synchronized void revoke(long[] spns) {
        long[] sorted = spns.clone();
        Arrays.sort(sorted);
        for (View view : List.copyOf(open)) {
            if (view.overlaps(sorted)) {
                view.close();
            }
        }
    }

    synchronized void revokeAll() {
        List.copyOf(open).forEach(View::close);
    }

    private synchronized void forget(View view) {
        open.remove(view);
    }

    /** One revocable window. */
    public final class View implements RootPageView {
        private final long[] spns;
        private final Arena arena = Arena.ofShared();
        private final MemorySegment[] pages;

        private View(long[] spns, MemorySegment[] raw) {
            this.spns = spns;
            this.pages = new MemorySegment[raw.length];
            for (int i = 0; i < raw.length; i++) {
                pages[i] = raw[i].reinterpret(arena, null);
            }
        }

        @Override
        public MemorySegment page(int index) {
            return pages[index];
        }

        @Override
        public int pageCount() {
            return pages.length;
        }

        @Override
        public void write(long offset, byte[] bytes, int from, int length) {
            long pos = offset;
            int done = 0;
            while (done < length) {
                int pageIndex = (int) (pos / SpaPool.PAGE_SIZE);
                int inPage = (int) (pos % SpaPool.PAGE_SIZE);
                int n = (int) Math.min(length - done, SpaPool.PAGE_SIZE - inPage);
                MemorySegment.copy(bytes, from + done, pages[pageIndex], java.lang.foreign.ValueLayout.JAVA_BYTE, inPage, n);
                done += n;
                pos += n;
            }
        }

        @Override
        public boolean isRevoked() {
            return !arena.scope().isAlive();
        }

        @Override
        public void close() {
            synchronized (RootViews.this) {
                if (arena.scope().isAlive()) {
                    arena.close();
                }
                forget(this);
            }
        }

        private boolean overlaps(long[] sorted) {
            for (long spn : spns) {
                if (Arrays.binarySearch(sorted, spn) >= 0) {
                    return true;
                }
            }
            return false;
        }
    }
}
