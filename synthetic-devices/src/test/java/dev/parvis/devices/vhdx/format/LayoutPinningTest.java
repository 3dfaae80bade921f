package dev.parvis.devices.vhdx.format;

import dev.parvis.abi.vmbus.Guid;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Pins every VHDX layout's size and field offsets, every signature, GUID and constant against
 * [MS-VHDX] as digested in shared/reference/vhdx.md (sections 0-4). The expected values are typed in
 * from the document, not derived from the code.
 */
class LayoutPinningTest {

    static Stream<Arguments> layouts() {
        return Stream.of(
                pin("FileIdentifier", FileIdentifier.LAYOUT, 520, "signature@0 creator@8"),
                pin("VhdxHeader", VhdxHeader.LAYOUT, 4096,
                        "signature@0 checksum@4 sequence_number@8 file_write_guid@16 data_write_guid@32 log_guid@48 "
                                + "log_version@64 version@66 log_length@68 log_offset@72 reserved@80"),
                pin("RegionTable header", RegionTable.HEADER_LAYOUT, 16, "signature@0 checksum@4 entry_count@8 reserved@12"),
                pin("RegionTableEntry", RegionTableEntry.LAYOUT, 32, "guid@0 file_offset@16 length@24 required@28"),
                pin("MetadataTable header", MetadataTable.HEADER_LAYOUT, 32,
                        "signature@0 reserved@8 entry_count@10 reserved2@12"),
                pin("MetadataTableEntry", MetadataTableEntry.LAYOUT, 32, "item_id@0 offset@16 length@20 flags@24 reserved2@28"),
                pin("FileParameters", FileParameters.LAYOUT, 8, "block_size@0 flags@4"),
                pin("ParentLocator header", ParentLocator.HEADER_LAYOUT, 20, "locator_type@0 reserved@16 key_value_count@18"),
                pin("ParentLocatorEntry", ParentLocatorEntry.LAYOUT, 12,
                        "key_offset@0 value_offset@4 key_length@8 value_length@10"),
                pin("LogEntryHeader", LogEntryHeader.LAYOUT, 64,
                        "signature@0 checksum@4 entry_length@8 tail@12 sequence_number@16 descriptor_count@24 "
                                + "reserved@28 log_guid@32 flushed_file_offset@48 last_file_offset@56"),
                pin("LogZeroDescriptor", LogZeroDescriptor.LAYOUT, 32,
                        "signature@0 reserved@4 zero_length@8 file_offset@16 sequence_number@24"),
                pin("LogDataDescriptor", LogDataDescriptor.LAYOUT, 32,
                        "signature@0 trailing_bytes@4 leading_bytes@8 file_offset@16 sequence_number@24"),
                pin("LogDataSector", LogDataSector.LAYOUT, 4096,
                        "signature@0 sequence_high@4 data@8 sequence_low@4092"));
    }

    private static Arguments pin(String name, StructLayout layout, long size, String fields) {
        return Arguments.of(name, layout, size, fields);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void layoutMatchesThePublishedDefinition(String name, StructLayout layout, long size, String fields) {
        assertEquals(size, layout.byteSize(), name + " size");
        for (String field : fields.split(" ")) {
            String[] parts = field.split("@");
            assertEquals(Long.parseLong(parts[1]), layout.byteOffset(groupElement(parts[0])), name + "." + parts[0]);
        }
        assertEquals(fields.split(" ").length, layout.memberLayouts().stream().filter(m -> m.name().isPresent()).count(),
                name + ": every named field is pinned");
    }

    @Test
    void signaturesAreTheAsciiBytesOfTheSpec() {
        assertSignature("vhdxfile", FileIdentifier.SIGNATURE, 8);
        assertSignature("head", VhdxHeader.SIGNATURE, 4);
        assertSignature("regi", RegionTable.SIGNATURE, 4);
        assertSignature("metadata", MetadataTable.SIGNATURE, 8);
        assertSignature("loge", LogEntryHeader.SIGNATURE, 4);
        assertSignature("zero", LogZeroDescriptor.SIGNATURE, 4);
        assertSignature("desc", LogDataDescriptor.SIGNATURE, 4);
        assertSignature("data", LogDataSector.SIGNATURE, 4);
    }

    private static void assertSignature(String ascii, long value, int bytes) {
        byte[] le = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            le[i] = (byte) (value >>> (8 * i));
        }
        assertArrayEquals(ascii.getBytes(StandardCharsets.US_ASCII), le, ascii);
    }

    @Test
    void knownGuidsHaveTheOnDiskBytesOfTheSpec() {
        assertGuid("66 77 C2 2D 23 F6 00 42 9D 64 11 5E 9B FD 4A 08", RegionTable.BAT_REGION);
        assertGuid("06 A2 7C 8B 90 47 9A 4B B8 FE 57 5F 05 0F 88 6E", RegionTable.METADATA_REGION);
        assertGuid("37 67 A1 CA 36 FA 43 4D B3 B6 33 F0 AA 44 E7 6B", MetadataItem.FILE_PARAMETERS.id());
        assertGuid("24 42 A5 2F 1B CD 76 48 B2 11 5D BE D8 3B F4 B8", MetadataItem.VIRTUAL_DISK_SIZE.id());
        assertGuid("AB 12 CA BE E6 B2 23 45 93 EF C3 09 E0 00 C7 46", MetadataItem.VIRTUAL_DISK_ID.id());
        assertGuid("1D BF 41 81 6F A9 09 47 BA 47 F2 33 A8 FA AB 5F", MetadataItem.LOGICAL_SECTOR_SIZE.id());
        assertGuid("C7 48 A3 CD 5D 44 71 44 9C C9 E9 88 52 51 C5 56", MetadataItem.PHYSICAL_SECTOR_SIZE.id());
        assertGuid("2D 5F D3 A8 0B B3 4D 45 AB F7 D3 D8 48 34 AB 0C", MetadataItem.PARENT_LOCATOR.id());
        assertGuid("B7 EF 4A B0 9E D1 81 4A B7 89 25 B8 E9 44 59 13", ParentLocator.VHDX_LOCATOR_TYPE);
    }

    private static void assertGuid(String onDisk, Guid guid) {
        assertArrayEquals(HexFormat.ofDelimiter(" ").parseHex(onDisk), guid.toBytes(), guid.toString());
    }

    @Test
    void metadataItemFlagsAreThoseOfTheSpecTable() {
        int required = MetadataTableEntry.IS_REQUIRED;
        int virtualDisk = MetadataTableEntry.IS_VIRTUAL_DISK;
        assertEquals(1, MetadataTableEntry.IS_USER);
        assertEquals(2, virtualDisk);
        assertEquals(4, required);
        assertEquals(required, MetadataItem.FILE_PARAMETERS.writerFlags());
        assertEquals(required | virtualDisk, MetadataItem.VIRTUAL_DISK_SIZE.writerFlags());
        assertEquals(required | virtualDisk, MetadataItem.VIRTUAL_DISK_ID.writerFlags());
        assertEquals(required | virtualDisk, MetadataItem.LOGICAL_SECTOR_SIZE.writerFlags());
        assertEquals(required | virtualDisk, MetadataItem.PHYSICAL_SECTOR_SIZE.writerFlags());
        assertEquals(required, MetadataItem.PARENT_LOCATOR.writerFlags());
        assertEquals(8, MetadataItem.FILE_PARAMETERS.minimumLength());
        assertEquals(16, MetadataItem.VIRTUAL_DISK_ID.minimumLength());
        assertEquals(4, MetadataItem.LOGICAL_SECTOR_SIZE.minimumLength());
    }

    @Test
    void fixedPlacesAndLimitsAreThoseOfTheSpec() {
        assertEquals(0x10000, VhdxLayout.HEADER_1_OFFSET);
        assertEquals(0x20000, VhdxLayout.HEADER_2_OFFSET);
        assertEquals(0x30000, VhdxLayout.REGION_TABLE_1_OFFSET);
        assertEquals(0x40000, VhdxLayout.REGION_TABLE_2_OFFSET);
        assertEquals(0x100000, VhdxLayout.HEADER_SECTION_SIZE);
        assertEquals(70_368_744_177_664L, VhdxLayout.MAX_VIRTUAL_DISK_SIZE);
        assertEquals(65536, RegionTable.SIZE);
        assertEquals(2047, RegionTable.MAX_ENTRIES);
        assertEquals(65536, MetadataTable.SIZE);
        assertEquals(2047, MetadataTable.MAX_ENTRIES);
        assertEquals(1024, MetadataTable.MAX_USER_ENTRIES);
        assertEquals(1, FileParameters.LEAVE_BLOCK_ALLOCATED);
        assertEquals(2, FileParameters.HAS_PARENT);
        assertEquals(1, RegionTableEntry.REQUIRED);
        assertEquals(128, LogEntry.DESCRIPTORS_PER_SECTOR);
    }

    @Test
    void crc32cIsTheCastagnoliChecksumOfTheSpec() {
        CRC32C crc = new CRC32C();
        crc.update("123456789".getBytes(StandardCharsets.US_ASCII));
        assertEquals(0xE3069283L, crc.getValue());
    }

    @Test
    void batEntryBitsAreStateReservedAndFileOffsetMb() {
        BatEntry e = new BatEntry(0x0000_0003_0010_0006L);
        assertEquals(6, e.state());
        assertEquals(0x3_0010_0000L, e.fileOffset());
        assertEquals(0x3_0010_0000L >>> 20, e.fileOffset() / (1 << 20), "FileOffsetMB is bits 20-63");
        assertEquals(true, e.reservedBitsClear());
        assertEquals(false, new BatEntry(1L << 3).reservedBitsClear());
        assertEquals(false, new BatEntry(1L << 19).reservedBitsClear());
        assertEquals(true, new BatEntry(1L << 20).reservedBitsClear());
        assertEquals(0x0000_0003_0010_0006L, BatEntry.of(6, 0x3_0010_0000L).raw());
        assertEquals(0, PayloadBlockState.NOT_PRESENT.raw());
        assertEquals(1, PayloadBlockState.UNDEFINED.raw());
        assertEquals(2, PayloadBlockState.ZERO.raw());
        assertEquals(3, PayloadBlockState.UNMAPPED.raw());
        assertEquals(6, PayloadBlockState.FULLY_PRESENT.raw());
        assertEquals(7, PayloadBlockState.PARTIALLY_PRESENT.raw());
        assertEquals(0, SectorBitmapState.NOT_PRESENT.raw());
        assertEquals(6, SectorBitmapState.PRESENT.raw());
    }

    @Test
    void chunkRatioMatchesTheSpecTable() {
        long[] blockSizes = {1, 2, 8, 16, 32, 64, 128, 256};
        long[] ratio512 = {4096, 2048, 512, 256, 128, 64, 32, 16};
        long[] ratio4096 = {32768, 16384, 4096, 2048, 1024, 512, 256, 128};
        for (int i = 0; i < blockSizes.length; i++) {
            long bs = blockSizes[i] << 20;
            assertEquals(ratio512[i], new BatGeometry(1 << 30, bs, 512, false).chunkRatio(), "512/" + blockSizes[i]);
            assertEquals(ratio4096[i], new BatGeometry(1 << 30, bs, 4096, false).chunkRatio(), "4096/" + blockSizes[i]);
        }
        assertEquals(4L << 30, new BatGeometry(0, 1 << 20, 512, false).chunkSize());
        assertEquals(32L << 30, new BatGeometry(0, 1 << 20, 4096, false).chunkSize());
    }

    @Test
    void batIndexesInterleaveOneBitmapEntryPerChunk() {
        BatGeometry g = new BatGeometry(100L << 30, 32 << 20, 512, true); // chunk ratio 128
        assertEquals(0, g.payloadEntryIndex(0));
        assertEquals(127, g.payloadEntryIndex(127));
        assertEquals(129, g.payloadEntryIndex(128), "block 128 follows chunk 0's bitmap entry at 128");
        assertEquals(128, g.bitmapEntryIndex(0));
        assertEquals(257, g.bitmapEntryIndex(1));
        assertEquals(true, g.isBitmapEntryIndex(128));
        assertEquals(false, g.isBitmapEntryIndex(129));
        assertEquals(128, g.blockOfEntryIndex(129));
        assertEquals(3200, g.payloadBlocks());
        assertEquals(25, g.sectorBitmapBlocks());
        assertEquals(25 * 129, g.totalEntries(), "differencing: SBBlocks x (CR + 1)");
        BatGeometry dynamic = g.withDifferencing(false);
        assertEquals(3200 + (3200 - 1) / 128, dynamic.totalEntries(), "fixed/dynamic: PB + floor((PB - 1) / CR)");
        assertEquals(0, new BatGeometry(0, 1 << 20, 512, false).totalEntries());
    }
}
