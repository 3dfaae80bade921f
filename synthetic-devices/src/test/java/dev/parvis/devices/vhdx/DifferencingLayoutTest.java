package dev.parvis.devices.vhdx;

import dev.parvis.devices.vhdx.storage.HeapStorage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A differencing file written by Parvis, read back with plain little-endian offsets typed in from
 * [MS-VHDX] (digest sections 1-3), not with our codecs: File Parameters HasParent, the item flags,
 * the parent locator's bytes, the PARTIALLY_PRESENT payload entry, the chunk's SB_BLOCK_PRESENT entry
 * at index ChunkRatio, and the sector bitmap's bit order (bit 0 of byte 0 = the chunk's first sector).
 * QEMU cannot read differencing files, so this is how their layout is checked.
 */
class DifferencingLayoutTest {
    private static final long MIB = 1 << 20;
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void aWrittenChildHasTheSpecsBytes() throws Exception {
        HeapStorage parent = HeapStorage.empty("parent");
        VhdxCreator.write(parent, CreateRequest.dynamic(8 * MIB).withBlockSize(MIB), null);
        HeapStorage child = HeapStorage.empty("child");
        try (VhdxDisk p = VhdxDisk.open(parent, null)) {
            VhdxCreator.write(child, CreateRequest.differencing(Path.of("base.vhdx")).withBlockSize(MIB),
                    new VhdxCreator.ParentLink(p, "..\\base.vhdx"));
        }
        try (VhdxDisk disk = VhdxDisk.open(child, (l, d) -> VhdxDisk.open(parent, null))) {
            disk.write(3 * 512, ByteBuffer.allocate(512));
            disk.write((2048 + 9) * 512, ByteBuffer.allocate(1024));
        }
        ByteBuffer f = ByteBuffer.wrap(child.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);

        int table = 192 << 10;
        assertEquals("regi", ascii(f, table, 4));
        long bat = regionOffset(f, table, "6677c22d23f600429d64115e9bfd4a08");
        long metadata = regionOffset(f, table, "06a27c8b90479a4bb8fe575f050f886e");

        int parameters = item(f, metadata, "3767a1ca36fa434db3b633f0aa44e76b", 0x4);
        assertEquals(MIB, f.getInt(parameters), "BlockSize");
        assertEquals(0x2, f.getInt(parameters + 4), "flags: HasParent, not LeaveBlockAllocated");
        item(f, metadata, "2442a52f1bcd7648b2115dbed83bf4b8", 0x6);
        item(f, metadata, "ab12cabee6b2234593efc309e000c746", 0x6);
        assertEquals(512, f.getInt(item(f, metadata, "1dbf41816fa90947ba47f233a8faab5f", 0x6)));
        int locator = item(f, metadata, "2d5fd3a80bb34d45abf7d3d84834ab0c", 0x4);
        assertEquals("b7ef4ab09ed1814ab78925b8e9445913", hex(f, locator, 16), "LocatorType: VHDX");
        int count = f.getShort(locator + 18);
        assertEquals(2, count);
        assertEquals("parent_linkage", utf16(f, locator, locator + 20));
        assertEquals("relative_path", utf16(f, locator, locator + 32));
        assertEquals("..\\base.vhdx", utf16Value(f, locator, locator + 32));

        long chunkRatio = (1L << 23) * 512 / MIB;
        long entry0 = f.getLong((int) bat);
        assertEquals(7, entry0 & 7, "block 0: PARTIALLY_PRESENT");
        long entry1 = f.getLong((int) bat + 8);
        assertEquals(7, entry1 & 7, "block 1: PARTIALLY_PRESENT");
        long bitmapEntry = f.getLong((int) (bat + 8 * chunkRatio));
        assertEquals(6, bitmapEntry & 7, "chunk 0's entry at index ChunkRatio: SB_BLOCK_PRESENT");
        assertEquals(0, bitmapEntry & 0xFFFF8, "reserved bits");
        int bitmap = (int) (bitmapEntry & ~0xFFFFFL);
        assertEquals(0b0000_1000, f.get(bitmap), "sector 3 is bit 3 of byte 0");
        assertEquals(0, f.get(bitmap + 1));
        assertEquals((byte) 0b0000_0110, f.get(bitmap + 2048 / 8 + 1), "sectors 2057-2058 are bits 1-2 of byte 257");
        long payload0 = entry0 & ~0xFFFFFL;
        assertTrue(payload0 >= 4 * MIB && payload0 % MIB == 0, "payload block after the metadata, 1 MiB aligned");
    }

    private static long regionOffset(ByteBuffer f, int table, String guid) {
        for (int i = 0; i < f.getInt(table + 8); i++) {
            int e = table + 16 + 32 * i;
            if (hex(f, e, 16).equals(guid)) {
                assertEquals(1, f.getInt(e + 28), "Required");
                return f.getLong(e + 16);
            }
        }
        throw new AssertionError("no region " + guid);
    }

    /** The item's absolute offset, after checking its entry's flags. */
    private static int item(ByteBuffer f, long metadata, String guid, int flags) {
        assertEquals("metadata", ascii(f, (int) metadata, 8));
        for (int i = 0; i < f.getShort((int) metadata + 10); i++) {
            int e = (int) metadata + 32 + 32 * i;
            if (hex(f, e, 16).equals(guid)) {
                assertEquals(flags, f.getInt(e + 24), "flags of " + guid);
                return (int) metadata + f.getInt(e + 16);
            }
        }
        throw new AssertionError("no metadata item " + guid);
    }

    private static String utf16(ByteBuffer f, int item, int entry) {
        return string(f, item + f.getInt(entry), f.getShort(entry + 8));
    }

    private static String utf16Value(ByteBuffer f, int item, int entry) {
        return string(f, item + f.getInt(entry + 4), f.getShort(entry + 10));
    }

    private static String string(ByteBuffer f, int at, int length) {
        byte[] b = new byte[length];
        f.get(at, b);
        return new String(b, StandardCharsets.UTF_16LE);
    }

    private static String ascii(ByteBuffer f, int at, int length) {
        byte[] b = new byte[length];
        f.get(at, b);
        return new String(b, StandardCharsets.US_ASCII);
    }

    private static String hex(ByteBuffer f, int at, int length) {
        byte[] b = new byte[length];
        f.get(at, b);
        return HEX.formatHex(b);
    }
}
