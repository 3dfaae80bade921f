package dev.parvis.vmbus.ring;

import dev.parvis.vmcore.GuestMemoryView;
import java.lang.foreign.MemorySegment;

/**
 * The memory of one ring: a 4 KiB control page and a data area. Offsets are within the data area
 * and a single access never wraps (the ring splits its copies at the end of the data area); an
 * implementation over separate pages splits at page boundaries. Accesses to revoked memory throw
 * {@link IllegalStateException}.
 */
public interface RingMemory {
    int PAGE_SIZE = 4096;

    /** The control page, 4096 bytes, at least 4-byte aligned. */
    MemorySegment control();

    /** Size of the data area in bytes, a multiple of 4096. */
    long dataSize();

    /** Copies {@code length} bytes at {@code dataOffset} of the data area to {@code dst}. */
    void read(long dataOffset, MemorySegment dst, long dstOffset, long length);

    /** Copies {@code length} bytes from {@code src} to {@code dataOffset} of the data area. */
    void write(long dataOffset, MemorySegment src, long srcOffset, long length);

    /** One contiguous segment: the first 4096 bytes are the control page, the rest the data area. */
    static RingMemory flat(MemorySegment controlAndData) {
        return new FlatRingMemory(controlAndData);
    }

    /**
     * {@code pages[0]} is the control page, then the data pages in ring order. When the data pages
     * are adjacent in native memory (or one segment holds the whole ring) the ring is flat inside.
     */
    static RingMemory pages(MemorySegment[] pages) {
        return PagedRingMemory.of(pages);
    }

    /**
     * The ring in pages [firstPage, firstPage + pageCount) of a GPADL view, the first of them the
     * control page. Uses a slice of {@link GuestMemoryView#contiguous()} when the view has one.
     */
    static RingMemory ofView(GuestMemoryView view, int firstPage, int pageCount) {
        if (firstPage < 0 || pageCount < 2 || (long) firstPage + pageCount > view.pageCount()) {
            throw new IllegalArgumentException("ring pages [%d, +%d) outside a view of %d pages"
                    .formatted(firstPage, pageCount, view.pageCount()));
        }
        MemorySegment contiguous = view.contiguous();
        if (contiguous != null) {
            return flat(contiguous.asSlice((long) firstPage * PAGE_SIZE, (long) pageCount * PAGE_SIZE));
        }
        MemorySegment[] pages = new MemorySegment[pageCount];
        for (int i = 0; i < pageCount; i++) {
            pages[i] = view.page(firstPage + i);
        }
        return pages(pages);
    }
}
