package dev.parvis.devices.vhdx;

import dev.parvis.devices.vhdx.format.LogEntry;
import dev.parvis.devices.vhdx.format.LogUpdate;
import dev.parvis.devices.vhdx.format.VhdxFormatException;
import dev.parvis.devices.vhdx.format.VhdxHeader;
import dev.parvis.devices.vhdx.format.VhdxLayout;
import dev.parvis.devices.vhdx.format.VhdxStructure;
import dev.parvis.devices.vhdx.storage.ReplayedStorage;
import dev.parvis.devices.vhdx.storage.VhdxStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Replays the active log sequence ([MS-VHDX] 2.3.3) after checking, against the file, where every
 * update lands: never the identifier or headers, never inside the log, never past the largest file we
 * open; the head's FlushedFileOffset must not exceed the file (else it was truncated). A writable open
 * writes the updates and extends the file; a read-only open gets a {@link ReplayedStorage} instead.
 */
final class LogReplay {
    /** Zero descriptors covering more than this are refused (ours write none; QEMU writes none). */
    static final long MAX_ZERO_BYTES = VhdxLayout.GIB;
    /** A read-only replay holds the logged sectors in memory; a log needing more is refused. */
    static final long MAX_IN_MEMORY_BYTES = 256 * VhdxLayout.MIB;
    private static final byte[] ZEROS = new byte[(int) VhdxLayout.MIB];

    private LogReplay() {
    }

    /** Checks every update of the sequence and the head's file offsets. */
    static void check(LogSequence sequence, VhdxHeader header, long fileSize) throws VhdxFormatException {
        long zeroBytes = 0;
        long sectorBytes = 0;
        for (LogEntry entry : sequence.entries()) {
            for (LogUpdate u : entry.updates()) {
                checkTarget(entry, u, header);
                zeroBytes += u instanceof LogUpdate.Zero ? u.length() : 0;
                sectorBytes += u instanceof LogUpdate.Sector ? u.length() : 0;
            }
        }
        if (zeroBytes > MAX_ZERO_BYTES) {
            throw refusal("ZeroLength", "zero descriptors cover " + zeroBytes + " bytes, more than " + MAX_ZERO_BYTES);
        }
        if (sectorBytes > MAX_IN_MEMORY_BYTES) {
            throw refusal("DescriptorCount", "the sequence carries " + sectorBytes + " bytes of updates");
        }
        LogEntry head = sequence.head();
        if (Long.compareUnsigned(head.flushedFileOffset(), fileSize) > 0) {
            throw refusal("FlushedFileOffset", head.flushedFileOffset() + " exceeds the file's " + fileSize
                    + " bytes: the file was truncated");
        }
        if (Long.compareUnsigned(head.lastFileOffset(), VhdxLayout.MAX_FILE_SIZE) > 0) {
            throw refusal("LastFileOffset", head.lastFileOffset() + " exceeds the largest VHDX file");
        }
    }

    private static void checkTarget(LogEntry entry, LogUpdate u, VhdxHeader header) throws VhdxFormatException {
        long start = u.fileOffset();
        long end = start + u.length();
        String where = "entry " + Long.toUnsignedString(entry.sequenceNumber()) + " update at 0x" + Long.toHexString(start);
        if (start < VhdxLayout.LOWEST_LOGGED_OFFSET) {
            throw refusal("FileOffset", where + " targets the file identifier or the headers");
        }
        if (end < start || end > VhdxLayout.MAX_FILE_SIZE) {
            throw refusal("FileOffset", where + " ends past the largest VHDX file");
        }
        if (start < header.logOffset() + header.logLength() && header.logOffset() < end) {
            throw refusal("FileOffset", where + " lands inside the log");
        }
    }

    /** Writes the sequence to its final places and extends the file to the head's LastFileOffset. */
    static void apply(VhdxStorage storage, LogSequence sequence) throws IOException {
        for (LogUpdate u : sequence.updates()) {
            write(storage, u);
        }
        storage.extendTo(sequence.head().lastFileOffset());
    }

    /** Writes one update: a sector image, or zeros (only within the file: past its end reads zero anyway). */
    static void write(VhdxStorage storage, LogUpdate update) throws IOException {
        switch (update) {
            case LogUpdate.Sector s -> storage.writeBytes(s.fileOffset(), s.data());
            case LogUpdate.Zero z -> {
                long end = Math.min(z.fileOffset() + z.length(), storage.size());
                for (long at = z.fileOffset(); at < end; at += ZEROS.length) {
                    storage.write(at, ByteBuffer.wrap(ZEROS, 0, (int) Math.min(ZEROS.length, end - at)));
                }
            }
        }
    }

    /** The file as the replayed log would leave it, without writing anything. */
    static VhdxStorage inMemory(VhdxStorage storage, LogSequence sequence) throws IOException {
        List<LogUpdate> updates = sequence.updates();
        return new ReplayedStorage(storage, updates, sequence.head().lastFileOffset());
    }

    private static VhdxFormatException refusal(String field, String reason) {
        return new VhdxFormatException(VhdxStructure.LOG, field, reason);
    }
}
