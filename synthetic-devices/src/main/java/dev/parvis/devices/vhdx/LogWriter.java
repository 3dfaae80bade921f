package dev.parvis.devices.vhdx;

import dev.parvis.abi.vmbus.Guid;
import dev.parvis.devices.vhdx.format.LogEntry;
import dev.parvis.devices.vhdx.format.LogUpdate;
import dev.parvis.devices.vhdx.format.VhdxLayout;
import dev.parvis.devices.vhdx.storage.VhdxStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Writes metadata changes through the log ([MS-VHDX] 2.3): log entry durable, then the updates applied
 * to their final places. The active sequence runs from {@code tail} to {@code head} and never grows so
 * far that the free part of the ring could not take one more entry of the largest size: when it would,
 * the file is flushed (every applied update durable) and the next entry starts a new sequence (its
 * Tail is itself), written into free space. So a torn entry never damages the sequence a reader falls
 * back on; the old sequence is only overwritten once the new one is durable. Not thread-safe: the
 * owner calls it under its commit lock.
 *
 * <p>The session's LogGuid reaches the headers only after the session's first entry is durable. The
 * spec asks for the GUID first; we write the entry first because a header naming a log that holds no
 * valid entry is a file a strict reader must refuse ([MS-VHDX] 2.3.3), and between the two writes a
 * crash would leave exactly that. A header whose LogGuid is zero makes every entry inactive, so the
 * early entry can never be replayed by mistake.
 */
final class LogWriter {
    private static final int SECTOR = VhdxLayout.LOG_SECTOR_SIZE;

    private final VhdxStorage storage;
    private final HeaderSlots headers;
    private final long logOffset;
    private final long logLength;
    private final int maxUpdatesPerEntry;
    private final long maxEntryLength;
    private Guid sessionGuid;
    private long nextSequence = 1;
    private long head;
    private long tail;
    private long activeBytes;
    private long entriesWritten;

    LogWriter(VhdxStorage storage, HeaderSlots headers) {
        this.storage = storage;
        this.headers = headers;
        this.logOffset = headers.current().logOffset();
        this.logLength = headers.current().logLength();
        this.maxUpdatesPerEntry = maxUpdates(logLength);
        this.maxEntryLength = LogEntry.entryLength(maxUpdatesPerEntry, maxUpdatesPerEntry);
    }

    /** Updates per entry such that an entry takes at most half the log (so two always fit). */
    private static int maxUpdates(long logLength) {
        long sectors = logLength / SECTOR / 2;
        int n = (int) Math.min(4096, sectors);
        while (n > 0 && LogEntry.entryLength(n, n) > sectors * SECTOR) {
            n--;
        }
        return n;
    }

    /** How many sector updates one entry can carry: changes that must be atomic have to fit. */
    int maxUpdatesPerEntry() {
        return maxUpdatesPerEntry;
    }

    boolean sessionActive() {
        return sessionGuid != null;
    }

    long entriesWritten() {
        return entriesWritten;
    }

    /**
     * Logs {@code updates} (split into entries when they do not fit in one), then applies them. The
     * caller has flushed the payload writes these updates refer to. Entries are replayed in order, so
     * updates that others depend on must come first.
     */
    void commit(List<? extends LogUpdate> updates, long lastFileOffset) throws IOException {
        if (logLength == 0 || maxUpdatesPerEntry == 0) {
            throw new IOException(storage.name() + " has no log large enough to record a change");
        }
        for (int from = 0; from < updates.size(); from += maxUpdatesPerEntry) {
            List<LogUpdate> batch = new ArrayList<>(updates.subList(from, Math.min(updates.size(), from + maxUpdatesPerEntry)));
            writeEntry(batch, lastFileOffset);
        }
    }

    /** Logs {@code updates} as one entry: the caller needs them replayed all or not at all. */
    void commitAtomically(List<? extends LogUpdate> updates, long lastFileOffset) throws IOException {
        if (updates.size() > maxUpdatesPerEntry) {
            throw new IOException(storage.name() + ": a change of " + updates.size()
                    + " sectors does not fit in one entry of a " + logLength + "-byte log");
        }
        writeEntry(new ArrayList<>(updates), lastFileOffset);
    }

    private void writeEntry(List<LogUpdate> batch, long lastFileOffset) throws IOException {
        long length = LogEntry.entryLength(batch.size(), batch.stream().filter(u -> u instanceof LogUpdate.Sector).count());
        if (activeBytes > 0 && activeBytes + length + maxEntryLength > logLength) {
            storage.force();
            tail = head;
            activeBytes = 0;
        }
        boolean first = sessionGuid == null;
        if (first) {
            sessionGuid = Guid.fromUuid(UUID.randomUUID());
        }
        long flushed = storage.size();
        LogEntry entry = new LogEntry(nextSequence, tail, sessionGuid, flushed, Math.max(flushed, lastFileOffset), batch);
        writeRing(head, entry.encode());
        storage.force();
        if (first) {
            Guid guid = sessionGuid;
            headers.update(h -> h.withLogGuid(guid));
        }
        for (LogUpdate u : batch) {
            LogReplay.write(storage, u);
        }
        head = (head + length) % logLength;
        activeBytes += length;
        nextSequence++;
        entriesWritten++;
    }

    private void writeRing(long position, byte[] bytes) throws IOException {
        int firstPart = (int) Math.min(bytes.length, logLength - position);
        storage.write(logOffset + position, ByteBuffer.wrap(bytes, 0, firstPart));
        if (firstPart < bytes.length) {
            storage.write(logOffset, ByteBuffer.wrap(bytes, firstPart, bytes.length - firstPart));
        }
    }

    /**
     * Ends the session's log: everything applied is made durable, then the headers say the log is
     * empty (LogGuid zero) so other readers, QEMU included, need no replay.
     */
    void close() throws IOException {
        if (sessionGuid == null) {
            return;
        }
        storage.force();
        headers.update(h -> h.withLogGuid(Guid.NULL));
        sessionGuid = null;
        head = 0;
        tail = 0;
        activeBytes = 0;
    }
}
