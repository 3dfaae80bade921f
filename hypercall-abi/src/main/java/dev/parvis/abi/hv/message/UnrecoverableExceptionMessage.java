package dev.parvis.abi.hv.message;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.Objects;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.pad;
import static dev.parvis.abi.layout.LittleEndian.u32;

/**
 * Payload of UNRECOVERABLE_EXCEPTION messages, 48 bytes. The TLFS payload is the bare intercept
 * header; Parvis appends the vector of the exception that could not be delivered (u32 at 40,
 * padded to 48) so the root can report it without reading VP registers.
 */
public record UnrecoverableExceptionMessage(InterceptHeader header, int vector) {
    public static final int SIZE = 48;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            InterceptHeader.LAYOUT.withName("header"),
            U32.withName("vector"),
            pad(4));

    private static final long HEADER = offset(LAYOUT, "header");
    private static final long VECTOR = offset(LAYOUT, "vector");

    public UnrecoverableExceptionMessage {
        Objects.requireNonNull(header, "header");
    }

    public static UnrecoverableExceptionMessage read(MemorySegment s) {
        InterceptHeader header = InterceptHeader.read(s.asSlice(HEADER, InterceptHeader.LAYOUT.byteSize()));
        int vector = u32(s, VECTOR);
        return new UnrecoverableExceptionMessage(header, vector);
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        header.write(s.asSlice(HEADER, InterceptHeader.LAYOUT.byteSize()));
        u32(s, VECTOR, vector);
    }
}
