package dev.parvis.devices.vhdx.format;

import dev.parvis.abi.vmbus.Guid;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;
import static dev.parvis.abi.layout.LittleEndian.u64;

/**
 * A 32-byte region table entry ([MS-VHDX] 2.2.3.2): a region's GUID, where it lies and whether a
 * reader that does not know it must refuse the file. {@code length} is unsigned 32-bit.
 */
public record RegionTableEntry(Guid guid, long fileOffset, long length, int flags) {
    public static final int SIZE = 32;
    public static final int REQUIRED = 0x1;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            Guid.LAYOUT.withName("guid"),
            U64.withName("file_offset"),
            U32.withName("length"),
            U32.withName("required"));

    private static final long GUID = offset(LAYOUT, "guid");
    private static final long FILE_OFFSET = offset(LAYOUT, "file_offset");
    private static final long LENGTH = offset(LAYOUT, "length");
    private static final long FLAGS = offset(LAYOUT, "required");

    public static RegionTableEntry read(MemorySegment s) {
        return new RegionTableEntry(Guid.read(s.asSlice(GUID)), u64(s, FILE_OFFSET),
                Integer.toUnsignedLong(u32(s, LENGTH)), u32(s, FLAGS));
    }

    public void write(MemorySegment s) {
        guid.write(s.asSlice(GUID));
        u64(s, FILE_OFFSET, fileOffset);
        u32(s, LENGTH, (int) length);
        u32(s, FLAGS, flags);
    }

    public boolean required() {
        return (flags & REQUIRED) != 0;
    }

    public RegionTableEntry movedTo(long newOffset, long newLength) {
        return new RegionTableEntry(guid, newOffset, newLength, flags);
    }
}
