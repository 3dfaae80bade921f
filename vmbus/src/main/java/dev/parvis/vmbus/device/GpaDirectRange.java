package dev.parvis.vmbus.device;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * One range of a DATA_USING_GPA_DIRECT packet resolved to host memory: {@code pieces} are the
 * byte spans of the range, in order: one per run of guest pages that are contiguous on the host
 * (often the whole range). Read-only segments unless the device asked for write access.
 */
public record GpaDirectRange(int byteCount, List<MemorySegment> pieces) {
    public GpaDirectRange {
        pieces = List.copyOf(pieces);
    }

    /** Copies the whole range into {@code target} starting at {@code offset}. */
    public void copyTo(MemorySegment target, long offset) {
        long at = offset;
        for (MemorySegment piece : pieces) {
            MemorySegment.copy(piece, 0, target, at, piece.byteSize());
            at += piece.byteSize();
        }
    }

    /** Fills the range from {@code source} starting at {@code offset}; needs write access. */
    public void copyFrom(MemorySegment source, long offset) {
        long at = offset;
        for (MemorySegment piece : pieces) {
            MemorySegment.copy(source, at, piece, 0, piece.byteSize());
            at += piece.byteSize();
        }
    }
}
