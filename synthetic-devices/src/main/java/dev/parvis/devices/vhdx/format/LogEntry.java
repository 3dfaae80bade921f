package dev.parvis.devices.vhdx.format;

import dev.parvis.abi.vmbus.Guid;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static dev.parvis.abi.layout.LittleEndian.u32;
import static dev.parvis.abi.layout.LittleEndian.u64;

/**
 * A whole log entry ([MS-VHDX] 2.3.1): header, descriptor sectors, then one data sector per data
 * descriptor, checksummed as one span. {@link #decode} checks everything the entry itself can prove;
 * where its updates may land is checked by the replay against the file.
 */
public record LogEntry(long sequenceNumber, long tail, Guid logGuid, long flushedFileOffset, long lastFileOffset,
                       List<LogUpdate> updates) {
    public static final int DESCRIPTOR_SIZE = 32;
    public static final int DESCRIPTORS_PER_SECTOR = VhdxLayout.LOG_SECTOR_SIZE / DESCRIPTOR_SIZE;
    private static final int SECTOR = VhdxLayout.LOG_SECTOR_SIZE;

    public LogEntry {
        updates = List.copyOf(updates);
    }

    /** Bytes the encoded entry takes: descriptor sectors plus one sector per sector update. */
    public long entryLength() {
        return entryLength(updates.size(), updates.stream().filter(u -> u instanceof LogUpdate.Sector).count());
    }

    public static long entryLength(long descriptors, long dataSectors) {
        return (LogEntryHeader.descriptorSectors(descriptors) + dataSectors) * SECTOR;
    }

    /** The entry's bytes, checksum included. */
    public byte[] encode() {
        long length = entryLength();
        if (length > Integer.MAX_VALUE) {
            throw new IllegalStateException("log entry too large: " + length);
        }
        byte[] out = new byte[(int) length];
        MemorySegment s = MemorySegment.ofArray(out);
        new LogEntryHeader(length, tail, sequenceNumber, updates.size(), logGuid, flushedFileOffset, lastFileOffset)
                .write(s);
        long dataSector = LogEntryHeader.descriptorSectors(updates.size()) * SECTOR;
        for (int i = 0; i < updates.size(); i++) {
            MemorySegment descriptor = s.asSlice(LogEntryHeader.SIZE + (long) i * DESCRIPTOR_SIZE, DESCRIPTOR_SIZE);
            switch (updates.get(i)) {
                case LogUpdate.Zero z -> new LogZeroDescriptor(z.length(), z.fileOffset(), sequenceNumber).write(descriptor);
                case LogUpdate.Sector d -> {
                    MemorySegment data = MemorySegment.ofArray(d.data());
                    new LogDataDescriptor(u32(data, SECTOR - 4), u64(data, 0), d.fileOffset(), sequenceNumber)
                            .write(descriptor);
                    LogDataSector.write(s.asSlice(dataSector, SECTOR), sequenceNumber, data);
                    dataSector += SECTOR;
                }
            }
        }
        VhdxChecksum.store(s, LogEntryHeader.CHECKSUM);
        return out;
    }

    /**
     * Decodes and validates an entry whose bytes start at {@code s}: the segment must hold at least the
     * header's EntryLength bytes (the caller reads them after {@link #checkHeader}).
     */
    public static LogEntry decode(MemorySegment s, Guid expectedLogGuid, long logLength) throws VhdxFormatException {
        LogEntryHeader header = checkHeader(s, expectedLogGuid, logLength);
        if (s.byteSize() < header.entryLength()) {
            throw refusal("EntryLength", header.entryLength() + " bytes were not supplied");
        }
        MemorySegment entry = s.asSlice(0, header.entryLength());
        if (!VhdxChecksum.matches(entry, LogEntryHeader.CHECKSUM)) {
            throw refusal("Checksum", "does not match the entry's CRC-32C");
        }
        long dataSectors = header.entryLength() / SECTOR - LogEntryHeader.descriptorSectors(header.descriptorCount());
        List<LogUpdate> updates = new ArrayList<>();
        long nextData = LogEntryHeader.descriptorSectors(header.descriptorCount()) * SECTOR;
        for (long i = 0; i < header.descriptorCount(); i++) {
            MemorySegment d = entry.asSlice(LogEntryHeader.SIZE + i * DESCRIPTOR_SIZE, DESCRIPTOR_SIZE);
            if (LogZeroDescriptor.hasSignature(d)) {
                updates.add(zeroUpdate(i, LogZeroDescriptor.read(d), header.sequenceNumber()));
            } else if (LogDataDescriptor.hasSignature(d)) {
                if (nextData + SECTOR > entry.byteSize()) {
                    throw refusal("descriptor " + i, "has no data sector left in the entry");
                }
                updates.add(sectorUpdate(i, LogDataDescriptor.read(d), entry.asSlice(nextData, SECTOR),
                        header.sequenceNumber()));
                nextData += SECTOR;
            } else {
                throw refusal("descriptor " + i + " Signature", "is neither \"zero\" nor \"desc\"");
            }
        }
        long used = updates.stream().filter(u -> u instanceof LogUpdate.Sector).count();
        if (used != dataSectors) {
            throw refusal("EntryLength", "holds " + dataSectors + " data sectors but " + used + " data descriptors");
        }
        return new LogEntry(header.sequenceNumber(), header.tail(), header.logGuid(), header.flushedFileOffset(),
                header.lastFileOffset(), updates);
    }

    /**
     * The checks on the 64-byte header alone, cheap enough to run at every 4 KiB of a log scan:
     * signature, length and tail bounds, sequence number, GUID, descriptor count.
     */
    public static LogEntryHeader checkHeader(MemorySegment s, Guid expectedLogGuid, long logLength)
            throws VhdxFormatException {
        if (!LogEntryHeader.hasSignature(s)) {
            throw refusal("Signature", "is not \"loge\"");
        }
        LogEntryHeader h = LogEntryHeader.read(s);
        if (h.entryLength() < SECTOR || h.entryLength() % SECTOR != 0 || h.entryLength() > logLength) {
            throw refusal("EntryLength", h.entryLength() + " is not a 4 KiB multiple within the log");
        }
        if (h.tail() % SECTOR != 0 || h.tail() >= logLength) {
            throw refusal("Tail", h.tail() + " is not a 4 KiB multiple within the log");
        }
        if (h.sequenceNumber() == 0) {
            throw refusal("SequenceNumber", "is 0");
        }
        if (!h.logGuid().equals(expectedLogGuid)) {
            throw refusal("LogGuid", h.logGuid() + " is not the header's " + expectedLogGuid);
        }
        if (LogEntryHeader.descriptorSectors(h.descriptorCount()) * SECTOR > h.entryLength()) {
            throw refusal("DescriptorCount", h.descriptorCount() + " descriptors do not fit in the entry");
        }
        return h;
    }

    private static LogUpdate zeroUpdate(long i, LogZeroDescriptor z, long sequence) throws VhdxFormatException {
        if (z.sequenceNumber() != sequence) {
            throw refusal("descriptor " + i + " SequenceNumber", z.sequenceNumber() + " is not the entry's " + sequence);
        }
        if (z.fileOffset() % SECTOR != 0 || z.zeroLength() % SECTOR != 0 || z.fileOffset() < 0 || z.zeroLength() < 0) {
            throw refusal("descriptor " + i + " FileOffset", "zero range is not 4 KiB aligned");
        }
        return new LogUpdate.Zero(z.fileOffset(), z.zeroLength());
    }

    private static LogUpdate sectorUpdate(long i, LogDataDescriptor d, MemorySegment sector, long sequence)
            throws VhdxFormatException {
        if (d.sequenceNumber() != sequence) {
            throw refusal("descriptor " + i + " SequenceNumber", d.sequenceNumber() + " is not the entry's " + sequence);
        }
        if (d.fileOffset() % SECTOR != 0 || d.fileOffset() < 0) {
            throw refusal("descriptor " + i + " FileOffset", "0x" + Long.toHexString(d.fileOffset()) + " is not 4 KiB aligned");
        }
        if (!LogDataSector.belongsTo(sector, sequence)) {
            throw refusal("data sector of descriptor " + i, "signature or sequence halves do not match");
        }
        byte[] data = new byte[SECTOR];
        MemorySegment out = MemorySegment.ofArray(data);
        u64(out, 0, d.leadingBytes());
        MemorySegment.copy(sector, LogDataSector.DATA, out, 8, LogDataSector.DATA_BYTES);
        u32(out, SECTOR - 4, d.trailingBytes());
        return new LogUpdate.Sector(d.fileOffset(), data);
    }

    private static VhdxFormatException refusal(String field, String reason) {
        return new VhdxFormatException(VhdxStructure.LOG_ENTRY, field, reason);
    }
}
