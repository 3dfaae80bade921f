package dev.parvis.devices.vhdx;

import dev.parvis.abi.vmbus.Guid;
import dev.parvis.devices.vhdx.format.BatGeometry;
import dev.parvis.devices.vhdx.format.RegionTable;
import dev.parvis.devices.vhdx.format.RegionTableEntry;
import dev.parvis.devices.vhdx.format.VhdxHeader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the management layer needs to know about a VHDX file, as one immutable record: type, sizes,
 * identities, the header in charge, whether a log was replayed on open, where each region lies, how
 * many blocks are in each BAT state, the parent locator's entries and, for a differencing disk, the
 * parent's own description.
 */
public record VhdxInfo(String file, DiskType type, long virtualSize, long blockSize, int logicalSectorSize,
                       int physicalSectorSize, Guid virtualDiskId, long fileSize, String creator, int currentHeader,
                       long headerSequence, Guid fileWriteGuid, Guid dataWriteGuid, long logOffset, long logLength,
                       int logEntriesReplayed, int regionTableCopy, List<Region> regions, Map<String, Long> blockStates,
                       long sectorBitmapBlocks, Map<String, String> parentLocator, VhdxInfo parent) {

    /** One region of the region table. */
    public record Region(String name, Guid guid, long fileOffset, long length, boolean required) {
    }

    public VhdxInfo {
        regions = List.copyOf(regions);
        blockStates = Map.copyOf(blockStates);
        parentLocator = Map.copyOf(parentLocator);
    }

    static VhdxInfo of(VhdxFile file, Path path, VhdxInfo parent) throws IOException {
        DiskMetadata m = file.metadata();
        VhdxHeader h = file.header();
        BlockAllocationTable bat = file.bat();
        BatGeometry g = bat.geometry();
        Map<String, Long> states = new TreeMap<>();
        for (long block = 0; block < g.payloadBlocks(); block++) {
            states.merge(bat.payload(block).payloadState().name(), 1L, Long::sum);
        }
        long bitmaps = 0;
        for (long chunk = 0; g.differencing() && chunk < g.sectorBitmapBlocks(); chunk++) {
            bitmaps += bat.bitmap(chunk).state() == 6 ? 1 : 0;
        }
        List<Region> regions = file.regions().entries().stream().map(VhdxInfo::region).toList();
        return new VhdxInfo(path != null ? path.toString() : file.name(), m.type(), m.virtualDiskSize(),
                m.parameters().blockSize(), m.logicalSectorSize(), m.physicalSectorSize(), m.virtualDiskId(),
                file.storage().size(), file.creator(), file.headerSlot(), h.sequenceNumber(), h.fileWriteGuid(),
                h.dataWriteGuid(), h.logOffset(), h.logLength(), file.replayedEntries(), file.regionTableCopy(),
                regions, states, bitmaps, m.parentLocator().map(l -> l.entries()).orElse(Map.of()), parent);
    }

    private static Region region(RegionTableEntry e) {
        String name = e.guid().equals(RegionTable.BAT_REGION) ? "BAT"
                : e.guid().equals(RegionTable.METADATA_REGION) ? "metadata" : "unknown";
        return new Region(name, e.guid(), e.fileOffset(), e.length(), e.required());
    }

    /** Blocks in a state that holds data in this file. */
    public long allocatedBlocks() {
        return blockStates.getOrDefault("FULLY_PRESENT", 0L) + blockStates.getOrDefault("PARTIALLY_PRESENT", 0L);
    }

    /** A multi-line, human-readable rendering for the command line. */
    public String describe() {
        StringBuilder out = new StringBuilder();
        out.append("file:                 ").append(file).append('\n')
                .append("type:                 ").append(type).append('\n')
                .append("virtual size:         ").append(virtualSize).append(" bytes\n")
                .append("block size:           ").append(blockSize).append('\n')
                .append("sector size:          ").append(logicalSectorSize).append(" logical, ")
                .append(physicalSectorSize).append(" physical\n")
                .append("virtual disk id:      ").append(virtualDiskId).append('\n')
                .append("file size:            ").append(fileSize).append('\n')
                .append("creator:              ").append(creator).append('\n')
                .append("header:               ").append(currentHeader).append(" (sequence ")
                .append(Long.toUnsignedString(headerSequence)).append(")\n")
                .append("data write guid:      ").append(dataWriteGuid).append('\n')
                .append("log:                  offset ").append(logOffset).append(", length ").append(logLength)
                .append(", ").append(logEntriesReplayed).append(" entries replayed on open\n")
                .append("region table copy:    ").append(regionTableCopy).append('\n');
        for (Region r : regions) {
            out.append("region ").append(String.format("%-14s", r.name())).append(" offset ").append(r.fileOffset())
                    .append(", length ").append(r.length()).append(r.required() ? ", required" : "").append('\n');
        }
        out.append("blocks:               ").append(new TreeMap<>(blockStates)).append('\n');
        if (type == DiskType.DIFFERENCING) {
            out.append("sector bitmap blocks: ").append(sectorBitmapBlocks).append('\n')
                    .append("parent locator:       ").append(parentLocator).append('\n');
        }
        if (parent != null) {
            out.append("--- parent ---\n").append(parent.describe());
        }
        return out.toString();
    }
}
