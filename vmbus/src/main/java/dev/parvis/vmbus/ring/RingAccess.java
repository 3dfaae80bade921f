package dev.parvis.vmbus.ring;

import dev.parvis.abi.vmbus.VmbusConstants;
import dev.parvis.abi.vmbus.RingControl;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Control-page words with acquire/release semantics, index validation, space accounting and copies
 * that split at the end of the data area (reference sections 7.1 and 7.4). Shared by the reader and
 * the writer of one ring.
 */
final class RingAccess {
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle WORD = U32.varHandle();

    final RingMemory memory;
    final MemorySegment control;
    final long size;

    RingAccess(RingMemory memory) {
        this.memory = memory;
        this.control = memory.control();
        this.size = memory.dataSize();
        if (size <= 0 || size % VmbusConstants.PACKET_ALIGNMENT != 0 || size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("ring data size " + size);
        }
    }

    int loadAcquire(long offset) {
        return (int) WORD.getAcquire(control, (long) offset);
    }

    void storeRelease(long offset, int value) {
        WORD.setRelease(control, (long) offset, value);
    }

    /** Reads a guest-writable index once and checks it; the caller uses only the returned copy. */
    long loadIndex(long offset) throws RingCorruptException {
        return checkIndex(Integer.toUnsignedLong(loadAcquire(offset)), offset);
    }

    long checkIndex(long index, long offset) throws RingCorruptException {
        String name = offset == RingControl.WRITE_INDEX_OFFSET ? "write_index" : "read_index";
        if (index >= size) {
            throw new RingCorruptException(RingCorruptException.Reason.INDEX_OUT_OF_RANGE, index,
                    "%s %d, data size %d".formatted(name, index, size));
        }
        if (index % VmbusConstants.PACKET_ALIGNMENT != 0) {
            throw new RingCorruptException(RingCorruptException.Reason.INDEX_MISALIGNED, index,
                    "%s %d is not a multiple of 8".formatted(name, index));
        }
        return index;
    }

    long bytesToRead(long write, long read) {
        return write >= read ? write - read : size - read + write;
    }

    long freeBytes(long write, long read) {
        return size - bytesToRead(write, read);
    }

    long advance(long index, long bytes) {
        long next = index + bytes;
        return next >= size ? next - size : next;
    }

    /** Copies ring bytes at {@code pos} (wrapping) to {@code dst}. */
    void copyOut(long pos, MemorySegment dst, long dstOffset, long length) {
        long first = Math.min(length, size - pos);
        memory.read(pos, dst, dstOffset, first);
        if (first < length) {
            memory.read(0, dst, dstOffset + first, length - first);
        }
    }

    /** Copies {@code src} to ring bytes at {@code pos} (wrapping); returns the position after them. */
    long copyIn(long pos, MemorySegment src, long srcOffset, long length) {
        long first = Math.min(length, size - pos);
        memory.write(pos, src, srcOffset, first);
        if (first < length) {
            memory.write(0, src, srcOffset + first, length - first);
        }
        return advance(pos, length);
    }
}
