package dev.parvis.devices.vhdx;

import dev.parvis.abi.vmbus.Guid;
import dev.parvis.devices.vhdx.format.FileIdentifier;
import dev.parvis.devices.vhdx.format.RegionTable;
import dev.parvis.devices.vhdx.format.RegionTableEntry;
import dev.parvis.devices.vhdx.format.VhdxFormatException;
import dev.parvis.devices.vhdx.format.VhdxHeader;
import dev.parvis.devices.vhdx.format.VhdxLayout;
import dev.parvis.devices.vhdx.format.VhdxStructure;
import dev.parvis.devices.vhdx.storage.VhdxStorage;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens one VHDX file in the order [MS-VHDX] prescribes, trusting nothing: identifier, current header,
 * log (replayed before anything else is read), region table, metadata, BAT. Every offset, length and
 * count is checked against the file before use; any failure refuses the whole file with a
 * {@link VhdxFormatException} naming the structure and field.
 */
final class FileOpener {
    private static final Logger LOG = LoggerFactory.getLogger(FileOpener.class);

    private FileOpener() {
    }

    static VhdxFile open(VhdxStorage raw, boolean writable) throws IOException {
        try {
            return openChecked(raw, writable);
        } catch (VhdxFormatException e) {
            throw e.in(raw.name());
        }
    }

    private static VhdxFile openChecked(VhdxStorage raw, boolean writable) throws IOException {
        long size = raw.size();
        if (size < VhdxLayout.HEADER_SECTION_SIZE) {
            throw new VhdxFormatException(VhdxStructure.FILE, "length", size + " bytes is shorter than the 1 MiB header section");
        }
        byte[] identifier = raw.readBytes(VhdxLayout.FILE_IDENTIFIER_OFFSET, (int) FileIdentifier.LAYOUT.byteSize());
        if (!FileIdentifier.hasSignature(MemorySegment.ofArray(identifier))) {
            throw new VhdxFormatException(VhdxStructure.FILE_IDENTIFIER, "Signature", "is not \"vhdxfile\"");
        }
        String creator = FileIdentifier.read(MemorySegment.ofArray(identifier)).creator();
        HeaderSlots headers = HeaderSlots.read(raw);
        VhdxHeader header = headers.current();
        checkLogPlace(header, size);
        VhdxStorage storage = raw;
        int replayed = 0;
        boolean sessionStarted = false;
        if (header.logIsActive()) {
            LogSequence sequence = LogScan.activeSequence(raw, header);
            LogReplay.check(sequence, header, size);
            replayed = sequence.entries().size();
            VhdxStorage replayedView = LogReplay.inMemory(raw, sequence);
            if (writable) {
                structures(replayedView, headers, creator, false, replayed, false);
                replayInPlace(raw, headers, sequence);
                sessionStarted = true;
            } else {
                storage = replayedView;
            }
            LOG.info("{}: replayed {} log entries (head sequence {}) {}", raw.name(), replayed,
                    Long.toUnsignedString(sequence.head().sequenceNumber()), writable ? "into the file" : "in memory");
        }
        return structures(storage, headers, creator, writable, replayed, sessionStarted);
    }

    private static void checkLogPlace(VhdxHeader header, long size) throws VhdxFormatException {
        if (header.logLength() > 0 && (header.logOffset() > size || header.logLength() > size - header.logOffset())) {
            throw new VhdxFormatException(VhdxStructure.HEADER, "LogOffset", "log [0x" + Long.toHexString(header.logOffset())
                    + ", +" + header.logLength() + ") ends past the file's " + size + " bytes");
        }
    }

    /**
     * A writable open replays the log itself, once the file as replayed in memory has passed every
     * check (a refused file is left untouched): new write GUIDs first (the file is about to change), then
     * the updates, a flush, and a header saying the log is empty.
     */
    private static void replayInPlace(VhdxStorage raw, HeaderSlots headers, LogSequence sequence) throws IOException {
        headers.update(h -> h.withWriteGuids(VhdxFile.randomGuid(), VhdxFile.randomGuid()));
        LogReplay.apply(raw, sequence);
        raw.force();
        headers.update(h -> h.withLogGuid(Guid.NULL));
    }

    /** The region table in use and which copy (1 or 2) it came from. */
    private record ChosenTable(RegionTable table, int copy) {
    }

    /**
     * Region table 1, or table 2 when table 1 is unusable ([MS-VHDX] leaves the choice open; QEMU reads
     * only table 1). Both unusable: refused with table 1's reason.
     */
    private static ChosenTable regionTable(VhdxStorage storage) throws IOException {
        try {
            return new ChosenTable(RegionTable.read(MemorySegment.ofArray(
                    storage.readBytes(VhdxLayout.REGION_TABLE_1_OFFSET, RegionTable.SIZE))), 1);
        } catch (VhdxFormatException first) {
            try {
                ChosenTable second = new ChosenTable(RegionTable.read(MemorySegment.ofArray(
                        storage.readBytes(VhdxLayout.REGION_TABLE_2_OFFSET, RegionTable.SIZE))), 2);
                LOG.warn("{}: region table 1 is unusable ({}); using region table 2", storage.name(), first.getMessage());
                return second;
            } catch (VhdxFormatException unused) {
                throw first;
            }
        }
    }

    private static VhdxFile structures(VhdxStorage storage, HeaderSlots headers, String creator, boolean writable,
                                       int replayed, boolean sessionStarted) throws IOException {
        long size = storage.size();
        VhdxHeader header = headers.current();
        ChosenTable chosen = regionTable(storage);
        RegionTable regions = chosen.table();
        FileExtents extents = new FileExtents();
        extents.add("header section", 0, VhdxLayout.HEADER_SECTION_SIZE);
        extents.add("log", header.logOffset(), header.logLength());
        RegionTableEntry batRegion = null;
        RegionTableEntry metadataRegion = null;
        for (int i = 0; i < regions.entries().size(); i++) {
            RegionTableEntry e = regions.entries().get(i);
            checkRegion(i, e, size);
            if (e.guid().equals(RegionTable.BAT_REGION)) {
                batRegion = e;
            } else if (e.guid().equals(RegionTable.METADATA_REGION)) {
                metadataRegion = e;
            } else if (e.required()) {
                throw new VhdxFormatException(VhdxStructure.REGION_TABLE, "entry " + i + " Guid",
                        "unknown region " + e.guid() + " is marked Required");
            }
            extents.add("region " + e.guid(), e.fileOffset(), e.length());
        }
        if (batRegion == null || metadataRegion == null) {
            throw new VhdxFormatException(VhdxStructure.REGION_TABLE, "Guid",
                    "the " + (batRegion == null ? "BAT" : "metadata") + " region is missing");
        }
        extents.checkNamed(VhdxStructure.REGION_TABLE, "FileOffset");
        DiskMetadata metadata = DiskMetadata.read(storage, metadataRegion.fileOffset(), metadataRegion.length());
        BlockAllocationTable bat = BlockAllocationTable.load(storage, batRegion.fileOffset(), batRegion.length(),
                metadata.geometry(), extents, size);
        return new VhdxFile(storage, headers, creator, writable, replayed, sessionStarted, regions, chosen.copy(),
                metadata, bat);
    }

    private static void checkRegion(int i, RegionTableEntry e, long size) throws VhdxFormatException {
        String field = "entry " + i + " FileOffset";
        if (e.fileOffset() < VhdxLayout.HEADER_SECTION_SIZE || !VhdxLayout.isAligned(e.fileOffset(), VhdxLayout.ALIGNMENT)) {
            throw new VhdxFormatException(VhdxStructure.REGION_TABLE, field,
                    "0x" + Long.toHexString(e.fileOffset()) + " is not a 1 MiB multiple after the header section");
        }
        if (e.length() == 0 || !VhdxLayout.isAligned(e.length(), VhdxLayout.ALIGNMENT)) {
            throw new VhdxFormatException(VhdxStructure.REGION_TABLE, "entry " + i + " Length",
                    e.length() + " is not a positive multiple of 1 MiB");
        }
        if (e.fileOffset() > size || e.length() > size - e.fileOffset()) {
            throw new VhdxFormatException(VhdxStructure.REGION_TABLE, field, "region [0x" + Long.toHexString(e.fileOffset())
                    + ", +" + e.length() + ") ends past the file's " + size + " bytes");
        }
    }
}
