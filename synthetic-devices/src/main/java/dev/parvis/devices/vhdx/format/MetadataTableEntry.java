package dev.parvis.devices.vhdx.format;

import dev.parvis.abi.layout.LittleEndian;
import dev.parvis.abi.vmbus.Guid;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U32;

import static dev.parvis.abi.layout.LittleEndian.u32;

/**
 * A 32-byte metadata table entry ([MS-VHDX] 2.6.1.2): an item's id, its place relative to the
 * metadata region (unsigned 32-bit offset and length) and the IsUser / IsVirtualDisk / IsRequired flags.
 */
public record MetadataTableEntry(Guid itemId, long offset, long length, int flags) {
    public static final int SIZE = 32;
    public static final int IS_USER = 0x1;
    public static final int IS_VIRTUAL_DISK = 0x2;
    public static final int IS_REQUIRED = 0x4;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            Guid.LAYOUT.withName("item_id"),
            U32.withName("offset"),
            U32.withName("length"),
            U32.withName("flags"),
            U32.withName("reserved2"));

    private static final long ITEM_ID = LittleEndian.offset(LAYOUT, "item_id");
    private static final long OFFSET = LittleEndian.offset(LAYOUT, "offset");
    private static final long LENGTH = LittleEndian.offset(LAYOUT, "length");
    private static final long FLAGS = LittleEndian.offset(LAYOUT, "flags");
    private static final long RESERVED2 = LittleEndian.offset(LAYOUT, "reserved2");

    public static MetadataTableEntry read(MemorySegment s) {
        return new MetadataTableEntry(Guid.read(s.asSlice(ITEM_ID)), Integer.toUnsignedLong(u32(s, OFFSET)),
                Integer.toUnsignedLong(u32(s, LENGTH)), u32(s, FLAGS));
    }

    public void write(MemorySegment s) {
        itemId.write(s.asSlice(ITEM_ID));
        u32(s, OFFSET, (int) offset);
        u32(s, LENGTH, (int) length);
        u32(s, FLAGS, flags);
        u32(s, RESERVED2, 0);
    }

    public boolean isUser() {
        return (flags & IS_USER) != 0;
    }

    public boolean isVirtualDisk() {
        return (flags & IS_VIRTUAL_DISK) != 0;
    }

    public boolean isRequired() {
        return (flags & IS_REQUIRED) != 0;
    }

    public MetadataTableEntry movedTo(long newOffset, long newLength) {
        return new MetadataTableEntry(itemId, newOffset, newLength, flags);
    }
}
