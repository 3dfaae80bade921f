package dev.parvis.devices.storvsp.scsi;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Moves a guest buffer to or from a disk in whole logical sectors, as {@link BackingDisk} takes
 * them. A GPA-direct buffer's pieces are runs of host-contiguous pages, so a buffer that starts at
 * a byte offset that is not a sector multiple, on pages that are not next to each other, has pieces
 * whose ends split a sector: such a sector goes through a one-sector bounce buffer, every other one
 * straight to or from its piece (one disk call per piece when the pieces hold whole sectors).
 */
final class SectorTransfer {
    /** One disk call: read into or write from {@code buffer} at byte {@code offset} of the disk. */
    @FunctionalInterface
    interface DiskCall {
        void apply(long offset, ByteBuffer buffer) throws IOException;
    }

    private final List<MemorySegment> pieces;
    private final int sector;
    private int piece;
    private long inPiece;
    private ByteBuffer bounce;

    private SectorTransfer(List<MemorySegment> pieces, int sector) {
        this.pieces = pieces;
        this.sector = sector;
    }

    /** Reads {@code data.length()} bytes (whole sectors) at {@code offset} into the buffer. */
    static void read(ScsiData data, long offset, int sector, DiskCall read) throws IOException {
        new SectorTransfer(data.pieces(), sector).run(data.length(), offset, false, read);
    }

    /** Writes the buffer's {@code data.length()} bytes (whole sectors) at {@code offset}. */
    static void write(ScsiData data, long offset, int sector, DiskCall write) throws IOException {
        new SectorTransfer(data.pieces(), sector).run(data.length(), offset, true, write);
    }

    private void run(long length, long offset, boolean toDisk, DiskCall call) throws IOException {
        long done = 0;
        while (done < length) {
            MemorySegment current = pieces.get(piece);
            long whole = (current.byteSize() - inPiece) / sector * sector;
            if (whole > 0) {
                call.apply(offset + done, current.asSlice(inPiece, whole).asByteBuffer());
                advance(whole);
            } else {
                splitSector(offset + done, toDisk, call);
            }
            done += whole > 0 ? whole : sector;
        }
    }

    /** The sector that starts in the current piece and ends in a later one. */
    private void splitSector(long offset, boolean toDisk, DiskCall call) throws IOException {
        if (bounce == null) {
            bounce = ByteBuffer.allocate(sector);
        }
        MemorySegment staged = MemorySegment.ofBuffer(bounce.clear());
        if (toDisk) {
            copy(staged, true);
            call.apply(offset, bounce.clear());
        } else {
            call.apply(offset, bounce);
            copy(staged, false);
        }
    }

    /** Copies one sector between {@code staged} and the pieces from the current position, moving past it. */
    private void copy(MemorySegment staged, boolean fromPieces) {
        long at = 0;
        while (at < sector) {
            MemorySegment current = pieces.get(piece);
            long n = Math.min(sector - at, current.byteSize() - inPiece);
            if (fromPieces) {
                MemorySegment.copy(current, inPiece, staged, at, n);
            } else {
                MemorySegment.copy(staged, at, current, inPiece, n);
            }
            at += n;
            advance(n);
        }
    }

    private void advance(long bytes) {
        inPiece += bytes;
        if (inPiece == pieces.get(piece).byteSize()) {
            piece++;
            inPiece = 0;
        }
    }
}
