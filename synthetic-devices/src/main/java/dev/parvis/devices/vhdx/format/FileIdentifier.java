package dev.parvis.devices.vhdx.format;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.charset.StandardCharsets;

import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.bytes;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u64;

/**
 * The file type identifier at offset 0 ([MS-VHDX] 2.2.1): the "vhdxfile" signature and a UTF-16LE
 * creator string kept only for diagnostics. Written once at creation, never rewritten.
 */
public record FileIdentifier(String creator) {
    public static final long SIGNATURE = 0x656C696678646876L; // "vhdxfile"
    public static final int CREATOR_BYTES = 512;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U64.withName("signature"),
            bytes(CREATOR_BYTES, "creator"));

    private static final long SIGNATURE_OFFSET = offset(LAYOUT, "signature");
    private static final long CREATOR = offset(LAYOUT, "creator");

    public static boolean hasSignature(MemorySegment s) {
        return u64(s, SIGNATURE_OFFSET) == SIGNATURE;
    }

    /** Reads the creator up to its first NUL; the caller checks the signature with {@link #hasSignature}. */
    public static FileIdentifier read(MemorySegment s) {
        byte[] raw = bytes(s, CREATOR, CREATOR_BYTES);
        int length = 0;
        while (length + 1 < raw.length && (raw[length] != 0 || raw[length + 1] != 0)) {
            length += 2;
        }
        return new FileIdentifier(new String(raw, 0, length, StandardCharsets.UTF_16LE));
    }

    public void write(MemorySegment s) {
        byte[] text = creator.getBytes(StandardCharsets.UTF_16LE);
        if (text.length > CREATOR_BYTES) {
            throw new IllegalArgumentException("creator longer than 256 UTF-16 units");
        }
        u64(s, SIGNATURE_OFFSET, SIGNATURE);
        bytes(s, CREATOR, CREATOR_BYTES, text);
    }
}
