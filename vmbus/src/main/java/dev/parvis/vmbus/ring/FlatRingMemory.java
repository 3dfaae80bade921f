package dev.parvis.vmbus.ring;

import java.lang.foreign.MemorySegment;

/** A ring in one contiguous segment. */
final class FlatRingMemory implements RingMemory {
    private final MemorySegment control;
    private final MemorySegment data;

    FlatRingMemory(MemorySegment controlAndData) {
        long size = controlAndData.byteSize();
        if (size <= PAGE_SIZE || size % PAGE_SIZE != 0 || size - PAGE_SIZE > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a ring is a control page plus 4 KiB data pages, not "
                    + size + " bytes");
        }
        this.control = checkControl(controlAndData.asSlice(0, PAGE_SIZE));
        this.data = controlAndData.asSlice(PAGE_SIZE);
    }

    static MemorySegment checkControl(MemorySegment control) {
        if (control.byteSize() < PAGE_SIZE) {
            throw new IllegalArgumentException("control page of " + control.byteSize() + " bytes");
        }
        if (control.maxByteAlignment() < Integer.BYTES || control.address() % Integer.BYTES != 0) {
            throw new IllegalArgumentException("control page must be 4-byte aligned (native or long[] memory)");
        }
        return control.asSlice(0, PAGE_SIZE);
    }

    @Override
    public MemorySegment control() {
        return control;
    }

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
