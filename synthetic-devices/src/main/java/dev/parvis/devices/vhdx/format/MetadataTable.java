package dev.parvis.devices.vhdx.format;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static dev.parvis.abi.layout.LittleEndian.U16;
import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.bytes;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u16;
import static dev.parvis.abi.layout.LittleEndian.u64;

/**
 * The 64 KiB table at the start of the metadata region ([MS-VHDX] 2.6.1): a 32-byte header and up to
 * 2047 entries locating variable-size, unaligned items inside the region.
 */
public record MetadataTable(List<MetadataTableEntry> entries) {
    public static final int SIZE = 64 * 1024;
    public static final long SIGNATURE = 0x617461646174656DL; // "metadata"
    public static final int MAX_ENTRIES = 2047;
    public static final int MAX_USER_ENTRIES = 1024;
    public static final long MAX_ITEM_LENGTH = 1024 * 1024;

    public static final StructLayout HEADER_LAYOUT = MemoryLayout.structLayout(
            U64.withName("signature"),
            U16.withName("reserved"),
            U16.withName("entry_count"),
            bytes(20, "reserved2"));

    private static final long SIGNATURE_OFFSET = offset(HEADER_LAYOUT, "signature");
    private static final long ENTRY_COUNT = offset(HEADER_LAYOUT, "entry_count");
    private static final long FIRST_ENTRY = HEADER_LAYOUT.byteSize();

    public MetadataTable {
        entries = List.copyOf(entries);
    }

    /**
     * Reads and checks the table against a region of {@code regionLength} bytes ([MS-VHDX] 2.6.1.1-2):
     * signature, counts, unique (ItemId, IsUser) pairs, every item inside the region after the table,
     * no two items overlapping.
     */
    public static MetadataTable read(MemorySegment s, long regionLength) throws VhdxFormatException {
        if (u64(s, SIGNATURE_OFFSET) != SIGNATURE) {
            throw refusal("Signature", "is not \"metadata\"");
        }
        int count = u16(s, ENTRY_COUNT) & 0xFFFF;
        if (count > MAX_ENTRIES) {
            throw refusal("EntryCount", count + " exceeds " + MAX_ENTRIES);
        }
        List<MetadataTableEntry> entries = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        int userEntries = 0;
        for (int i = 0; i < count; i++) {
            MetadataTableEntry e = MetadataTableEntry.read(s.asSlice(FIRST_ENTRY + (long) i * MetadataTableEntry.SIZE));
            if (!keys.add(e.itemId() + "/" + e.isUser())) {
                throw refusal("entry " + i + " ItemId", e.itemId() + " appears twice");
            }
            userEntries += e.isUser() ? 1 : 0;
            checkPlace(i, e, regionLength);
            entries.add(e);
        }
        if (userEntries > MAX_USER_ENTRIES) {
            throw refusal("IsUser", userEntries + " user items exceed " + MAX_USER_ENTRIES);
        }
        checkOverlaps(entries);
        return new MetadataTable(entries);
    }

    private static void checkPlace(int i, MetadataTableEntry e, long regionLength) throws VhdxFormatException {
        if (e.length() > MAX_ITEM_LENGTH) {
            throw refusal("entry " + i + " Length", e.length() + " exceeds 1 MiB");
        }
        if (e.length() == 0) {
            if (e.offset() != 0) {
                throw refusal("entry " + i + " Offset", "must be 0 for an empty item, is " + e.offset());
            }
            return;
        }
        if (e.offset() < SIZE) {
            throw refusal("entry " + i + " Offset", e.offset() + " lies inside the 64 KiB table");
        }
        if (e.offset() + e.length() > regionLength) {
            throw refusal("entry " + i + " Offset", "item [" + e.offset() + ", +" + e.length()
                    + ") ends past the metadata region of " + regionLength + " bytes");
        }
    }

    private static void checkOverlaps(List<MetadataTableEntry> entries) throws VhdxFormatException {
        List<MetadataTableEntry> placed = entries.stream().filter(e -> e.length() > 0)
                .sorted(Comparator.comparingLong(MetadataTableEntry::offset)).toList();
        for (int i = 1; i < placed.size(); i++) {
            MetadataTableEntry before = placed.get(i - 1);
            if (before.offset() + before.length() > placed.get(i).offset()) {
                throw refusal("Offset", "items " + before.itemId() + " and " + placed.get(i).itemId() + " overlap");
            }
        }
    }

    /** Writes the 64 KiB table (entries and a zeroed rest); the items are written by the caller. */
    public void write(MemorySegment s) {
        if (entries.size() > MAX_ENTRIES) {
            throw new IllegalStateException("more than " + MAX_ENTRIES + " metadata items");
        }
        MemorySegment table = s.asSlice(0, SIZE);
        table.fill((byte) 0);
        u64(table, SIGNATURE_OFFSET, SIGNATURE);
        u16(table, ENTRY_COUNT, (short) entries.size());
        for (int i = 0; i < entries.size(); i++) {
            entries.get(i).write(table.asSlice(FIRST_ENTRY + (long) i * MetadataTableEntry.SIZE));
        }
    }

    /** The entry of a known system item, if present. */
    public Optional<MetadataTableEntry> find(MetadataItem item) {
        return entries.stream().filter(e -> !e.isUser() && e.itemId().equals(item.id())).findFirst();
    }

    /** This table with {@code item}'s entry replaced by {@code replacement}, or appended if absent. */
    public MetadataTable with(MetadataTableEntry replacement) {
        List<MetadataTableEntry> out = new ArrayList<>();
        boolean replaced = false;
        for (MetadataTableEntry e : entries) {
            boolean same = !e.isUser() && e.itemId().equals(replacement.itemId());
            out.add(same ? replacement : e);
            replaced |= same;
        }
        if (!replaced) {
            out.add(replacement);
        }
        return new MetadataTable(out);
    }

    /** The first offset after the table and every item: where a grown item can go. */
    public long endOfItems() {
        return entries.stream().mapToLong(e -> e.offset() + e.length()).max().orElse(SIZE);
    }

    private static VhdxFormatException refusal(String field, String reason) {
        return new VhdxFormatException(VhdxStructure.METADATA_TABLE, field, reason);
    }
}
