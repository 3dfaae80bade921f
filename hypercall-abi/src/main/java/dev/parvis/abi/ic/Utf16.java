package dev.parvis.abi.ic;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * UTF-16LE strings as KVP keys/values and file copy names carry them: NUL-terminated inside a
 * fixed-capacity field, sizes counted in bytes including the NUL.
 */
public final class Utf16 {
    private Utf16() {
    }

    /**
     * The UTF-16LE bytes of {@code text} plus a two-byte NUL.
     *
     * @throws IllegalArgumentException when they do not fit in {@code capacity} bytes
     */
    public static byte[] encode(String text, int capacity) {
        byte[] raw = text.getBytes(StandardCharsets.UTF_16LE);
        if (raw.length + 2 > capacity) {
            throw new IllegalArgumentException("string of " + raw.length + " UTF-16 bytes does not fit in " + capacity);
        }
        return Arrays.copyOf(raw, raw.length + 2);
    }

    /** Decodes up to {@code size} bytes (clamped to the array), stopping at the first NUL unit. */
    public static String decode(byte[] field, int size) {
        int limit = (int) Math.min(Integer.toUnsignedLong(size), field.length) & ~1;
        int end = 0;
        while (end + 1 < limit && (field[end] != 0 || field[end + 1] != 0)) {
            end += 2;
        }
        return new String(field, 0, end, StandardCharsets.UTF_16LE);
    }

    /** Decodes a NUL-terminated string that fills at most the whole field. */
    public static String decode(byte[] field) {
        return decode(field, field.length);
    }
}
