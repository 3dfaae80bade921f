package dev.parvis.devices.vhdx;

import dev.parvis.abi.vmbus.Guid;
import dev.parvis.devices.vhdx.format.LogEntry;
import dev.parvis.devices.vhdx.format.LogEntryHeader;
import dev.parvis.devices.vhdx.format.VhdxFormatException;
import dev.parvis.devices.vhdx.format.VhdxHeader;
import dev.parvis.devices.vhdx.format.VhdxLayout;
import dev.parvis.devices.vhdx.format.VhdxStructure;
import dev.parvis.devices.vhdx.storage.VhdxStorage;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the active sequence of a non-empty log by the steps of [MS-VHDX] 2.3.3: walk runs of valid
 * entries with consecutive sequence numbers from every candidate tail, keep a run only if its head's
 * Tail points at one of its entries, and choose the one whose head has the greatest sequence number.
 * Each ring position is validated once (checksum included); the walk is bounded so a hostile log
 * cannot make open run for long.
 */
final class LogScan {
    private static final int SECTOR = VhdxLayout.LOG_SECTOR_SIZE;
    private static final long STEP_BUDGET = 4_000_000;
    /** Longer entries are not searched (ours are at most half a log); a bound on memory, not a format rule. */
    static final long MAX_ENTRY_LENGTH = 64 * VhdxLayout.MIB;

    private final VhdxStorage storage;
    private final long logOffset;
    private final long logLength;
    private final Guid logGuid;
    private final Map<Long, LogEntryHeader> validated = new HashMap<>();
    private long steps;

    private LogScan(VhdxStorage storage, VhdxHeader header) {
        this.storage = storage;
        this.logOffset = header.logOffset();
        this.logLength = header.logLength();
        this.logGuid = header.logGuid();
    }

    /** The active sequence, or a refusal when a non-empty log holds none ([MS-VHDX] 2.3.3). */
    static LogSequence activeSequence(VhdxStorage storage, VhdxHeader header) throws IOException {
        return new LogScan(storage, header).scan();
    }

    private LogSequence scan() throws IOException {
        List<Long> best = null;
        long bestSequence = 0;
        long currentTail = 0;
        while (true) {
            List<Long> run = walk(currentTail);
            List<Long> active = activePart(run);
            if (active != null) {
                long headSequence = validated.get(active.getLast()).sequenceNumber();
                if (best == null || Long.compareUnsigned(headSequence, bestSequence) > 0) {
                    best = active;
                    bestSequence = headSequence;
                }
            }
            // Spec step 6-7: a valid run moves the tail past its head, an invalid one by one sector; the
            // scan ends once the tail has gone round the ring (a run may wrap, so count linearly).
            long next = currentTail + (active == null ? SECTOR : runLength(run));
            if (next >= logLength) {
                break;
            }
            currentTail = next;
        }
        if (best == null) {
            throw new VhdxFormatException(VhdxStructure.LOG, "LogGuid",
                    "the header names log " + logGuid + " but the log holds no valid sequence of its entries");
        }
        List<LogEntry> entries = new ArrayList<>();
        for (long position : best) {
            entries.add(LogEntry.decode(readRing(position, validated.get(position).entryLength()), logGuid, logLength));
        }
        return new LogSequence(entries);
    }

    /** Positions of valid entries with consecutive sequence numbers starting at {@code start}. */
    private List<Long> walk(long start) throws IOException {
        List<Long> run = new ArrayList<>();
        long position = start;
        long covered = 0;
        while (covered < logLength) {
            LogEntryHeader entry = entryAt(position);
            if (entry == null || (!run.isEmpty()
                    && entry.sequenceNumber() != validated.get(run.getLast()).sequenceNumber() + 1)) {
                break;
            }
            if (++steps > STEP_BUDGET) {
                throw new VhdxFormatException(VhdxStructure.LOG, "entries",
                        "the log's entries take more than " + STEP_BUDGET + " steps to search");
            }
            run.add(position);
            covered += entry.entryLength();
            position = (position + entry.entryLength()) % logLength;
        }
        return run;
    }

    /** The run from its head's Tail to its head, or null if the Tail is not one of the run's entries. */
    private List<Long> activePart(List<Long> run) {
        if (run.isEmpty()) {
            return null;
        }
        int tailIndex = run.indexOf(validated.get(run.getLast()).tail());
        return tailIndex < 0 ? null : List.copyOf(run.subList(tailIndex, run.size()));
    }

    /** Bytes a run covers from its first entry to its head's end. */
    private long runLength(List<Long> run) {
        long length = 0;
        for (long position : run) {
            length += validated.get(position).entryLength();
        }
        return length;
    }

    /** The entry's header if a whole valid entry starts at {@code position}, else null (memoized). */
    private LogEntryHeader entryAt(long position) throws IOException {
        if (validated.containsKey(position)) {
            return validated.get(position);
        }
        LogEntryHeader result = null;
        MemorySegment first = readRing(position, SECTOR);
        if (LogEntryHeader.hasSignature(first)) {
            try {
                LogEntryHeader header = LogEntry.checkHeader(first, logGuid, logLength);
                if (header.entryLength() > MAX_ENTRY_LENGTH) {
                    throw new VhdxFormatException(VhdxStructure.LOG_ENTRY, "EntryLength", "too long to search");
                }
                LogEntry.decode(readRing(position, header.entryLength()), logGuid, logLength);
                result = header;
            } catch (VhdxFormatException notAnEntry) {
                result = null;
            }
        }
        validated.put(position, result);
        return result;
    }

    /** {@code length} bytes of the ring from {@code position}, wrapping at the end of the log. */
    private MemorySegment readRing(long position, long length) throws IOException {
        byte[] out = new byte[Math.toIntExact(length)];
        long firstPart = Math.min(length, logLength - position);
        storage.read(logOffset + position, ByteBuffer.wrap(out, 0, (int) firstPart));
        if (firstPart < length) {
            storage.read(logOffset, ByteBuffer.wrap(out, (int) firstPart, (int) (length - firstPart)));
        }
        return MemorySegment.ofArray(out);
    }
}
