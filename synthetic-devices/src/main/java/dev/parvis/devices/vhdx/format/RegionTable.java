package dev.parvis.devices.vhdx.format;

import dev.parvis.abi.vmbus.Guid;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;

/**
 * A 64 KiB region table ([MS-VHDX] 2.2.3): a 16-byte header then up to 2047 entries. Two identical
 * copies live at 192 KiB and 256 KiB; changes to them go through the log.
 */
public record RegionTable(List<RegionTableEntry> entries) {
    public static final int SIZE = 64 * 1024;
    public static final int SIGNATURE = 0x69676572; // "regi"
    public static final int MAX_ENTRIES = 2047;
    public static final Guid BAT_REGION = Guid.parse("2dc27766-f623-4200-9d64-115e9bfd4a08");
    public static final Guid METADATA_REGION = Guid.parse("8b7ca206-4790-4b9a-b8fe-575f050f886e");

    public static final StructLayout HEADER_LAYOUT = MemoryLayout.structLayout(
            U32.withName("signature"),
            U32.withName("checksum"),
            U32.withName("entry_count"),
            U32.withName("reserved"));

    private static final long SIGNATURE_OFFSET = offset(HEADER_LAYOUT, "signature");
    private static final long CHECKSUM = offset(HEADER_LAYOUT, "checksum");
    private static final long ENTRY_COUNT = offset(HEADER_LAYOUT, "entry_count");
    private static final long FIRST_ENTRY = HEADER_LAYOUT.byteSize();

    public RegionTable {
        entries = List.copyOf(entries);
    }

    /**
     * Reads a table after checking its signature, checksum, entry count and GUID uniqueness; where
     * the regions lie is checked against the file by the caller.
     */
    public static RegionTable read(MemorySegment s) throws VhdxFormatException {
        MemorySegment table = s.asSlice(0, SIZE);
        if (u32(table, SIGNATURE_OFFSET) != SIGNATURE) {
            throw refusal("Signature", "is not \"regi\"");
        }
        if (!VhdxChecksum.matches(table, CHECKSUM)) {
            throw refusal("Checksum", "does not match the table's CRC-32C");
        }
        long count = Integer.toUnsignedLong(u32(table, ENTRY_COUNT));
        if (count > MAX_ENTRIES) {
            throw refusal("EntryCount", count + " exceeds " + MAX_ENTRIES);
        }
        List<RegionTableEntry> entries = new ArrayList<>();
        Set<Guid> seen = new HashSet<>();
        for (int i = 0; i < count; i++) {
            RegionTableEntry entry = RegionTableEntry.read(table.asSlice(FIRST_ENTRY + (long) i * RegionTableEntry.SIZE));
            if (!seen.add(entry.guid())) {
                throw refusal("entry " + i + " Guid", entry.guid() + " appears twice");
            }
            entries.add(entry);
        }
        return new RegionTable(entries);
    }

    /** Writes the whole 64 KiB: header, entries, zeroed rest, checksum. */
    public void write(MemorySegment s) {
        if (entries.size() > MAX_ENTRIES) {
            throw new IllegalStateException("more than " + MAX_ENTRIES + " regions");
        }
        MemorySegment table = s.asSlice(0, SIZE);
        table.fill((byte) 0);
        u32(table, SIGNATURE_OFFSET, SIGNATURE);
        u32(table, ENTRY_COUNT, entries.size());
        for (int i = 0; i < entries.size(); i++) {
            entries.get(i).write(table.asSlice(FIRST_ENTRY + (long) i * RegionTableEntry.SIZE));
        }
        VhdxChecksum.store(table, CHECKSUM);
    }

    public Optional<RegionTableEntry> find(Guid guid) {
        return entries.stream().filter(e -> e.guid().equals(guid)).findFirst();
    }

    /** This table with the entry of {@code replacement}'s GUID replaced. */
    public RegionTable with(RegionTableEntry replacement) {
        List<RegionTableEntry> out = new ArrayList<>();
        for (RegionTableEntry e : entries) {
            out.add(e.guid().equals(replacement.guid()) ? replacement : e);
        }
        return new RegionTable(out);
    }

    public byte[] toBytes() {
        byte[] out = new byte[SIZE];
        write(MemorySegment.ofArray(out));
        return out;
    }

    private static VhdxFormatException refusal(String field, String reason) {
        return new VhdxFormatException(VhdxStructure.REGION_TABLE, field, reason);
    }
}
