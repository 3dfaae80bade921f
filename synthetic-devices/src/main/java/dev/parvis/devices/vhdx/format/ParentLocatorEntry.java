package dev.parvis.devices.vhdx.format;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U16;
import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u16;
import static dev.parvis.abi.layout.LittleEndian.u32;

/**
 * A 12-byte parent locator key/value entry ([MS-VHDX] 2.6.2.6.2): where a UTF-16LE key and value lie
 * inside the Parent Locator item. Offsets are unsigned 32-bit, lengths unsigned 16-bit, all in bytes.
 */
public record ParentLocatorEntry(long keyOffset, long valueOffset, int keyLength, int valueLength) {
    public static final int SIZE = 12;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("key_offset"),
            U32.withName("value_offset"),
            U16.withName("key_length"),
            U16.withName("value_length"));

    private static final long KEY_OFFSET = offset(LAYOUT, "key_offset");
    private static final long VALUE_OFFSET = offset(LAYOUT, "value_offset");
    private static final long KEY_LENGTH = offset(LAYOUT, "key_length");
    private static final long VALUE_LENGTH = offset(LAYOUT, "value_length");

    public static ParentLocatorEntry read(MemorySegment s) {
        return new ParentLocatorEntry(Integer.toUnsignedLong(u32(s, KEY_OFFSET)),
                Integer.toUnsignedLong(u32(s, VALUE_OFFSET)), u16(s, KEY_LENGTH) & 0xFFFF, u16(s, VALUE_LENGTH) & 0xFFFF);
    }

    public void write(MemorySegment s) {
        u32(s, KEY_OFFSET, (int) keyOffset);
        u32(s, VALUE_OFFSET, (int) valueOffset);
        u16(s, KEY_LENGTH, (short) keyLength);
        u16(s, VALUE_LENGTH, (short) valueLength);
    }
}
