package dev.parvis.vmbus.ring;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/** A ring whose data pages are separate 4 KiB segments; copies split at page boundaries. */
final class PagedRingMemory implements RingMemory {
    private static final int PAGE_SHIFT = 12;

    private final MemorySegment control;
    private final MemorySegment[] data;
    private final long dataSize;

    private PagedRingMemory(MemorySegment control, MemorySegment[] data) {
        this.control = control;
        this.data = data;
        this.dataSize = (long) data.length * PAGE_SIZE;
    }

    static RingMemory of(MemorySegment[] pages) {
        Objects.requireNonNull(pages, "pages");
        if (pages.length == 1) {
            return new FlatRingMemory(pages[0]);
        }
        if (pages.length < 2 || (long) (pages.length - 1) * PAGE_SIZE > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a ring needs a control page and 1.." 
                    + (Integer.MAX_VALUE / PAGE_SIZE) + " data pages, got " + pages.length + " pages");
        }
        MemorySegment control = FlatRingMemory.checkControl(pages[0]);
        MemorySegment[] data = new MemorySegment[pages.length - 1];
        for (int i = 0; i < data.length; i++) {
            MemorySegment page = Objects.requireNonNull(pages[i + 1], "page");
            if (page.byteSize() < PAGE_SIZE) {
                throw new IllegalArgumentException("page " + (i + 1) + " has " + page.byteSize() + " bytes");
            }
            data[i] = page.asSlice(0, PAGE_SIZE);
        }
        MemorySegment contiguous = adjacent(data);
        if (contiguous != null) {
            return new SplitFlat(control, contiguous);
        }
        return new PagedRingMemory(control, data);
    }

    /** The data pages as one segment when they are adjacent native pages of one scope, else null. */
    private static MemorySegment adjacent(MemorySegment[] data) {
        MemorySegment first = data[0];
        if (!first.isNative()) {
            return null;
        }
        for (int i = 1; i < data.length; i++) {
            if (!data[i].isNative() || data[i].address() != first.address() + (long) i * PAGE_SIZE
                    || !data[i].scope().equals(first.scope())) {
                return null;
            }
        }
        // Same scope and adjacent addresses: one mapping, so widening the first page is safe.
        return data.length == 1 ? first : first.reinterpret((long) data.length * PAGE_SIZE);
    }

    @Override
    public MemorySegment control() {
        return control;
    }

    @Override
    public long dataSize() {
        return dataSize;
    }

    @Override
    public void read(long dataOffset, MemorySegment dst, long dstOffset, long length) {
        Objects.checkFromIndexSize(dataOffset, length, dataSize);
        while (length > 0) {
            long inPage = dataOffset & (PAGE_SIZE - 1);
            long n = Math.min(length, PAGE_SIZE - inPage);
            MemorySegment.copy(data[(int) (dataOffset >>> PAGE_SHIFT)], inPage, dst, dstOffset, n);
            dataOffset += n;
            dstOffset += n;
            length -= n;
        }
    }

    @Override
    public void write(long dataOffset, MemorySegment src, long srcOffset, long length) {
        Objects.checkFromIndexSize(dataOffset, length, dataSize);
        while (length > 0) {
            long inPage = dataOffset & (PAGE_SIZE - 1);
            long n = Math.min(length, PAGE_SIZE - inPage);
            MemorySegment.copy(src, srcOffset, data[(int) (dataOffset >>> PAGE_SHIFT)], inPage, n);
            dataOffset += n;
            srcOffset += n;
            length -= n;
        }
    }

    /** Separate control page, contiguous data pages. */
    private record SplitFlat(MemorySegment control, MemorySegment data) implements RingMemory {
        @Override
        public long dataSize() {
            return data.byteSize();
        }

        @Override
        public void read(long dataOffset, MemorySegment dst, long dstOffset, long length) {
            MemorySegment.copy(data, dataOffset, dst, dstOffset, length);
        }

        @Override
        public void write(long dataOffset, MemorySegment src, long srcOffset, long length) {
            MemorySegment.copy(src, srcOffset, data, dataOffset, length);
        }
    }
}
