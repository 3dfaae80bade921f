package dev.parvis.devices.storvsp.scsi;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * The guest's data buffer for one command: its byte spans, in order (host memory of guest pages;
 * none for a command without data). Its total length is the SRB's data_transfer_length, which the
 * transport has already checked against the buffer it names.
 */
public record ScsiData(List<MemorySegment> pieces, long length) {
    public static final ScsiData NONE = new ScsiData(List.of(), 0);

    public ScsiData {
        pieces = List.copyOf(pieces);
    }

    public static ScsiData of(List<MemorySegment> pieces) {
        return new ScsiData(pieces, pieces.stream().mapToLong(MemorySegment::byteSize).sum());
    }

    /** Copies {@code bytes} (at most the buffer's length) into the buffer; returns how many were copied. */
    public int fill(byte[] bytes, int count) {
        long left = Math.min(count, length);
        int at = 0;
        for (MemorySegment piece : pieces) {
            if (left == 0) {
                break;
            }
            int n = (int) Math.min(left, piece.byteSize());
            MemorySegment.copy(MemorySegment.ofArray(bytes), at, piece, 0, n);
            at += n;
            left -= n;
        }
        return at;
    }

    /** The first {@code count} bytes of the buffer (count at most its length). */
    public byte[] head(int count) {
        byte[] out = new byte[(int) Math.min(count, length)];
        int at = 0;
        for (MemorySegment piece : pieces) {
            int n = (int) Math.min(out.length - at, piece.byteSize());
            if (n == 0) {
                break;
            }
            MemorySegment.copy(piece, 0, MemorySegment.ofArray(out), at, n);
            at += n;
        }
        return out;
    }
}
