package dev.parvis.devices.vhdx.format;

import dev.parvis.abi.vmbus.Guid;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The codecs against hand-assembled bytes: checksums, refusals naming their field, round trips. */
class FormatCodecTest {
    private static final Guid A = Guid.parse("11223344-5566-7788-99aa-bbccddeeff00");

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void headerChecksumCoversAll4KibWithTheFieldZero() {
        byte[] bytes = new byte[4096];
        new VhdxHeader(7, A, A, Guid.NULL, 0, 1, 1 << 20, 1 << 20).write(MemorySegment.ofArray(bytes));
        byte[] zeroed = bytes.clone();
        le(zeroed).putInt(4, 0);
        CRC32C crc = new CRC32C();
        crc.update(zeroed);
        assertEquals((int) crc.getValue(), le(bytes).getInt(4));
        assertEquals(7, le(bytes).getLong(8));
        assertEquals(1 << 20, le(bytes).getInt(68));
        assertTrue(VhdxHeader.isValid(MemorySegment.ofArray(bytes)));
        bytes[4000] ^= 1;
        assertFalse(VhdxHeader.isValid(MemorySegment.ofArray(bytes)), "a reserved byte flip breaks the checksum");
    }

    @Test
    void headerFieldRulesNameTheField() {
        assertField("Version", () -> new VhdxHeader(1, A, A, Guid.NULL, 0, 2, 1 << 20, 1 << 20).validate());
        assertField("LogVersion", () -> new VhdxHeader(1, A, A, A, 1, 1, 1 << 20, 1 << 20).validate());
        assertField("LogLength", () -> new VhdxHeader(1, A, A, Guid.NULL, 0, 1, 4096, 1 << 20).validate());
        assertField("LogOffset", () -> new VhdxHeader(1, A, A, Guid.NULL, 0, 1, 1 << 20, 4096).validate());
        assertField("LogOffset", () -> new VhdxHeader(1, A, A, Guid.NULL, 0, 1, 1 << 20, 0).validate());
        assertField("LogLength", () -> new VhdxHeader(1, A, A, A, 0, 1, 0, 1 << 20).validate());
    }

    @Test
    void regionTableRoundTripsAndRefusesBadTables() throws Exception {
        RegionTable table = new RegionTable(List.of(
                new RegionTableEntry(RegionTable.BAT_REGION, 2 << 20, 1 << 20, 1),
                new RegionTableEntry(RegionTable.METADATA_REGION, 3 << 20, 1 << 20, 0)));
        byte[] bytes = table.toBytes();
        assertEquals(RegionTable.SIGNATURE, le(bytes).getInt(0));
        assertEquals(2, le(bytes).getInt(8));
        assertEquals(2L << 20, le(bytes).getLong(16 + 16));
        assertEquals(1, le(bytes).getInt(16 + 28));
        assertEquals(table, RegionTable.read(MemorySegment.ofArray(bytes)));

        byte[] badCrc = bytes.clone();
        badCrc[60000] = 1;
        assertField("Checksum", () -> RegionTable.read(MemorySegment.ofArray(badCrc)));
        byte[] tooMany = bytes.clone();
        le(tooMany).putInt(8, 2048);
        VhdxChecksum.store(MemorySegment.ofArray(tooMany), 4);
        assertField("EntryCount", () -> RegionTable.read(MemorySegment.ofArray(tooMany)));
        byte[] duplicate = new RegionTable(List.of(table.entries().get(0), table.entries().get(0))).toBytes();
        assertField("entry 1 Guid", () -> RegionTable.read(MemorySegment.ofArray(duplicate)));
    }

    @Test
    void metadataTableChecksEveryItemsPlace() throws Exception {
        assertEquals(table(entry(MetadataItem.FILE_PARAMETERS.id(), 65536, 8, 4)).entries().size(), 1);
        assertField("entry 0 Offset", () -> table(entry(A, 100, 8, 0)));
        assertField("entry 0 Offset", () -> table(entry(A, 0, 8, 0)));
        assertField("entry 0 Offset", () -> table(entry(A, (1 << 20) - 4, 8, 0)));
        assertField("entry 0 Length", () -> table(entry(A, 65536, (1 << 20) + 1, 0)));
        assertField("Offset", () -> table(entry(A, 65536, 16, 0), entry(MetadataItem.VIRTUAL_DISK_ID.id(), 65540, 16, 0)));
        assertField("entry 1 ItemId", () -> table(entry(A, 65536, 8, 0), entry(A, 70000, 8, 0)));
        assertEquals(2, table(entry(A, 65536, 8, 0), entry(A, 70000, 8, 1)).entries().size(),
                "(ItemId, IsUser) is the unique key");
        assertEquals(1, table(entry(A, 0, 0, 0)).entries().size(), "an empty item has offset 0");
    }

    private static MetadataTableEntry entry(Guid id, long offset, long length, int flags) {
        return new MetadataTableEntry(id, offset, length, flags);
    }

    private static MetadataTable table(MetadataTableEntry... entries) throws VhdxFormatException {
        byte[] bytes = new byte[MetadataTable.SIZE];
        new MetadataTable(List.of(entries)).write(MemorySegment.ofArray(bytes));
        assertArrayEquals("metadata".getBytes(StandardCharsets.US_ASCII), java.util.Arrays.copyOf(bytes, 8));
        assertEquals(entries.length, le(bytes).getShort(10));
        return MetadataTable.read(MemorySegment.ofArray(bytes), 1 << 20);
    }

    @Test
    void fileParametersRefuseABadBlockSize() throws Exception {
        byte[] bytes = new FileParameters(32 << 20, false, true).toBytes();
        assertEquals(32 << 20, le(bytes).getInt(0));
        assertEquals(2, le(bytes).getInt(4));
        assertEquals(new FileParameters(32 << 20, false, true), FileParameters.read(MemorySegment.ofArray(bytes)));
        for (int bad : new int[]{0, 512 << 10, (3 << 20), 512 << 20}) {
            le(bytes).putInt(0, bad);
            assertField("BlockSize", () -> FileParameters.read(MemorySegment.ofArray(bytes)));
        }
    }

    @Test
    void parentLocatorHasTheSpecLayout() throws Exception {
        ParentLocator locator = ParentLocator.forParent(A, "..\\base\\parent.vhdx");
        byte[] bytes = locator.toBytes();
        MemorySegment s = MemorySegment.ofArray(bytes);
        assertEquals(ParentLocator.VHDX_LOCATOR_TYPE, Guid.read(s));
        assertEquals(2, le(bytes).getShort(18));
        ParentLocatorEntry first = ParentLocatorEntry.read(s.asSlice(20));
        assertEquals(20 + 2 * 12, first.keyOffset(), "strings follow the entry table");
        assertEquals("parent_linkage", new String(bytes, (int) first.keyOffset(), first.keyLength(), StandardCharsets.UTF_16LE));
        assertEquals("{" + A + "}", new String(bytes, (int) first.valueOffset(), first.valueLength(), StandardCharsets.UTF_16LE));
        assertEquals(locator, ParentLocator.read(s));
        assertEquals(List.of(A), locator.acceptedParentIds());
        assertEquals(List.of(A, Guid.NULL), locator.with(ParentLocator.PARENT_LINKAGE2, "{" + Guid.NULL + "}").acceptedParentIds());
    }

    @Test
    void parentLocatorRefusesEveryMalformedEntry() {
        Map<String, String> noPath = Map.of(ParentLocator.PARENT_LINKAGE, "{" + A + "}");
        assertField("path", () -> ParentLocator.read(MemorySegment.ofArray(new ParentLocator(ParentLocator.VHDX_LOCATOR_TYPE, noPath).toBytes())));
        Map<String, String> badGuid = Map.of(ParentLocator.PARENT_LINKAGE, A.toString(), ParentLocator.RELATIVE_PATH, "p.vhdx");
        assertField(ParentLocator.PARENT_LINKAGE, () -> ParentLocator.read(MemorySegment.ofArray(new ParentLocator(ParentLocator.VHDX_LOCATOR_TYPE, badGuid).toBytes())));
        assertField("LocatorType", () -> ParentLocator.read(MemorySegment.ofArray(new ParentLocator(A, noPath).toBytes())));
        byte[] good = ParentLocator.forParent(A, "p.vhdx").toBytes();
        byte[] outside = good.clone();
        le(outside).putInt(20 + 4, good.length - 2);
        assertField("entry 0 value", () -> ParentLocator.read(MemorySegment.ofArray(outside)));
        byte[] odd = good.clone();
        le(odd).putShort(20 + 8, (short) 3);
        assertField("entry 0 key", () -> ParentLocator.read(MemorySegment.ofArray(odd)));
        byte[] count = good.clone();
        le(count).putShort(18, (short) 5000);
        assertField("KeyValueCount", () -> ParentLocator.read(MemorySegment.ofArray(count)));
        byte[] intoTable = good.clone();
        le(intoTable).putInt(20, 4);
        assertField("entry 0 key", () -> ParentLocator.read(MemorySegment.ofArray(intoTable)));
    }

    @Test
    void logEntryRoundTripsWithDataAndZeroDescriptors() throws Exception {
        byte[] sector = new byte[4096];
        for (int i = 0; i < sector.length; i++) {
            sector[i] = (byte) (i * 7);
        }
        List<LogUpdate> updates = List.of(new LogUpdate.Sector(3 << 20, sector), new LogUpdate.Zero(4 << 20, 8192));
        LogEntry entry = new LogEntry(0x1_0000_0002L, 4096, A, 5 << 20, 6 << 20, updates);
        byte[] bytes = entry.encode();
        assertEquals(8192, bytes.length, "one descriptor sector and one data sector");
        MemorySegment s = MemorySegment.ofArray(bytes);
        assertEquals(LogEntryHeader.SIGNATURE, le(bytes).getInt(0));
        assertEquals(8192, le(bytes).getInt(8));
        assertEquals(2, le(bytes).getInt(24));
        assertEquals(LogDataDescriptor.SIGNATURE, le(bytes).getInt(64), "descriptor 0 right after the 64-byte header");
        assertEquals(le(sector).getLong(0), le(bytes).getLong(64 + 8), "LeadingBytes = update bytes 0-7");
        assertEquals(le(sector).getInt(4092), le(bytes).getInt(64 + 4), "TrailingBytes = update bytes 4092-4095");
        assertEquals(LogZeroDescriptor.SIGNATURE, le(bytes).getInt(96));
        assertEquals(LogDataSector.SIGNATURE, le(bytes).getInt(4096));
        assertEquals(1, le(bytes).getInt(4096 + 4), "SequenceHigh");
        assertEquals(2, le(bytes).getInt(4096 + 4092), "SequenceLow");
        assertTrue(VhdxChecksum.matches(s, 4));

        LogEntry decoded = LogEntry.decode(s, A, 1 << 20);
        assertEquals(entry.sequenceNumber(), decoded.sequenceNumber());
        assertArrayEquals(sector, ((LogUpdate.Sector) decoded.updates().get(0)).data());
        assertEquals(new LogUpdate.Zero(4 << 20, 8192), decoded.updates().get(1));
    }

    @Test
    void descriptorsSpillIntoFurtherSectorsAt126And128PerSector() throws Exception {
        assertEquals(1, LogEntryHeader.descriptorSectors(0));
        assertEquals(1, LogEntryHeader.descriptorSectors(126));
        assertEquals(2, LogEntryHeader.descriptorSectors(127));
        assertEquals(2, LogEntryHeader.descriptorSectors(254));
        assertEquals(3, LogEntryHeader.descriptorSectors(255));
        List<LogUpdate> updates = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            updates.add(new LogUpdate.Sector((2L << 20) + 4096L * i, new byte[4096]));
        }
        byte[] bytes = new LogEntry(9, 0, A, 0, 0, updates).encode();
        assertEquals((2 + 200) * 4096, bytes.length);
        assertEquals(LogDataDescriptor.SIGNATURE, le(bytes).getInt(64 + 126 * 32), "descriptor 126 starts sector 1");
        assertEquals(LogDataSector.SIGNATURE, le(bytes).getInt(2 * 4096), "data after two descriptor sectors");
        assertEquals(200, LogEntry.decode(MemorySegment.ofArray(bytes), A, 4 << 20).updates().size());
    }

    @Test
    void logEntryRefusalsNameTheField() {
        byte[] good = new LogEntry(5, 0, A, 0, 0, List.of(new LogUpdate.Sector(2 << 20, new byte[4096]))).encode();
        assertField("LogGuid", () -> LogEntry.decode(MemorySegment.ofArray(good), Guid.NULL, 1 << 20));
        assertField("EntryLength", () -> LogEntry.decode(MemorySegment.ofArray(good), A, 4096));
        byte[] crc = good.clone();
        crc[5000] ^= 1;
        assertField("Checksum", () -> LogEntry.decode(MemorySegment.ofArray(crc), A, 1 << 20));
        byte[] torn = good.clone();
        le(torn).putInt(4096 + 4092, 6);
        VhdxChecksum.store(MemorySegment.ofArray(torn), 4);
        assertField("data sector of descriptor 0", () -> LogEntry.decode(MemorySegment.ofArray(torn), A, 1 << 20));
        byte[] sequence = good.clone();
        le(sequence).putLong(64 + 24, 4);
        VhdxChecksum.store(MemorySegment.ofArray(sequence), 4);
        assertField("descriptor 0 SequenceNumber", () -> LogEntry.decode(MemorySegment.ofArray(sequence), A, 1 << 20));
        byte[] unaligned = good.clone();
        le(unaligned).putLong(64 + 16, (2 << 20) + 512);
        VhdxChecksum.store(MemorySegment.ofArray(unaligned), 4);
        assertField("descriptor 0 FileOffset", () -> LogEntry.decode(MemorySegment.ofArray(unaligned), A, 1 << 20));
        byte[] count = good.clone();
        le(count).putInt(24, 0);
        VhdxChecksum.store(MemorySegment.ofArray(count), 4);
        assertField("EntryLength", () -> LogEntry.decode(MemorySegment.ofArray(count), A, 1 << 20));
        byte[] zeroSequence = good.clone();
        le(zeroSequence).putLong(16, 0);
        assertField("SequenceNumber", () -> LogEntry.decode(MemorySegment.ofArray(zeroSequence), A, 1 << 20));
        byte[] tail = good.clone();
        le(tail).putInt(12, 100);
        assertField("Tail", () -> LogEntry.decode(MemorySegment.ofArray(tail), A, 1 << 20));
    }

    interface Refusing {
        void run() throws Exception;
    }

    private static void assertField(String field, Refusing action) {
        Exception e = assertThrows(Exception.class, action::run);
        VhdxFormatException refusal = assertInstanceOf(VhdxFormatException.class, e);
        assertEquals(field, refusal.field(), refusal.getMessage());
    }
}
