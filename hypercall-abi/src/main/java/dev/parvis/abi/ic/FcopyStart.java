package dev.parvis.abi.ic;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U16;
import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.bytes;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;
import static dev.parvis.abi.layout.LittleEndian.u64;

/**
 * File copy START body (reference section 9.8): file and path names as UTF-16LE with a NUL in
 * 260-unit fields, {@code IcConstants.FCOPY_FLAG_*} and the total size in bytes.
 */
public record FcopyStart(FcopyHeader header, String fileName, String pathName, int copyFlags, long fileSize) {
    public static final int NAME_UNITS = 260;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            FcopyHeader.LAYOUT.withName("header"),
            MemoryLayout.sequenceLayout(NAME_UNITS, U16).withName("file_name"),
            MemoryLayout.sequenceLayout(NAME_UNITS, U16).withName("path_name"),
            U32.withName("copy_flags"),
            U64.withName("file_size"));
    public static final int SIZE = (int) LAYOUT.byteSize();

    private static final long HEADER = offset(LAYOUT, "header");
    private static final long FILE_NAME = offset(LAYOUT, "file_name");
    private static final long PATH_NAME = offset(LAYOUT, "path_name");
    private static final long COPY_FLAGS = offset(LAYOUT, "copy_flags");
    private static final long FILE_SIZE = offset(LAYOUT, "file_size");

    public static FcopyStart read(MemorySegment s) {
        return new FcopyStart(FcopyHeader.read(s.asSlice(HEADER, FcopyHeader.SIZE)),
                Utf16.decode(bytes(s, FILE_NAME, NAME_UNITS * 2)), Utf16.decode(bytes(s, PATH_NAME, NAME_UNITS * 2)),
                u32(s, COPY_FLAGS), u64(s, FILE_SIZE));
    }

    /** @throws IllegalArgumentException when a name does not fit in 259 UTF-16 units */
    public void write(MemorySegment s) {
        header.write(s.asSlice(HEADER, FcopyHeader.SIZE));
        bytes(s, FILE_NAME, NAME_UNITS * 2, Utf16.encode(fileName, NAME_UNITS * 2));
        bytes(s, PATH_NAME, NAME_UNITS * 2, Utf16.encode(pathName, NAME_UNITS * 2));
        u32(s, COPY_FLAGS, copyFlags);
        u64(s, FILE_SIZE, fileSize);
    }
}
