package dev.parvis.abi.ic;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.bytes;
import static dev.parvis.abi.layout.LittleEndian.lengthWithin;
import dev.parvis.abi.layout.LittleEndian;
import static dev.parvis.abi.layout.LittleEndian.pad;
import static dev.parvis.abi.layout.LittleEndian.u32;
import static dev.parvis.abi.layout.LittleEndian.u64;

/**
 * File copy WRITE body (reference section 9.8): {@code size} bytes of {@code data} belong at
 * {@code offset} of the file; at most {@code IcConstants.FCOPY_MAX_DATA}. Naturally aligned, so
 * the struct ends with 4 bytes of padding (6200 B).
 */
public record FcopyWrite(FcopyHeader header, long offset, int size, byte[] data) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            FcopyHeader.LAYOUT.withName("header"),
            U32.withName("pad"),
            U64.withName("offset"),
            U32.withName("size"),
            bytes(IcConstants.FCOPY_MAX_DATA, "data"),
            pad(4));
    public static final int SIZE = (int) LAYOUT.byteSize();

    private static final long HEADER = LittleEndian.offset(LAYOUT, "header");
    private static final long PAD = LittleEndian.offset(LAYOUT, "pad");
    private static final long OFFSET = LittleEndian.offset(LAYOUT, "offset");
    private static final long SIZE_FIELD = LittleEndian.offset(LAYOUT, "size");
    private static final long DATA = LittleEndian.offset(LAYOUT, "data");

    public FcopyWrite {
        data = data.clone();
        if (data.length > IcConstants.FCOPY_MAX_DATA) {
            throw new IllegalArgumentException("file copy chunk of " + data.length + " bytes");
        }
    }

    /** The data bytes a reader takes: {@code size} clamped to the field's capacity. */
    public static FcopyWrite read(MemorySegment s) {
        int size = u32(s, SIZE_FIELD);
        return new FcopyWrite(FcopyHeader.read(s.asSlice(HEADER, FcopyHeader.SIZE)), u64(s, OFFSET), size,
                bytes(s, DATA, lengthWithin(size, IcConstants.FCOPY_MAX_DATA)));
    }

    public void write(MemorySegment s) {
        header.write(s.asSlice(HEADER, FcopyHeader.SIZE));
        u32(s, PAD, 0);
        u64(s, OFFSET, offset);
        u32(s, SIZE_FIELD, size);
        bytes(s, DATA, IcConstants.FCOPY_MAX_DATA, data);
        s.asSlice(SIZE - 4, 4).fill((byte) 0);
    }

    @Override
    public byte[] data() {
        return data.clone();
    }
}
