package dev.parvis.devices.vhdx.tool;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A size on the command line: bytes, or a number with K, M, G or T (binary units), e.g. {@code 64M}. */
final class ByteSize implements ITypeConverter<Long> {
    @Override
    public Long convert(String text) {
        String t = text.trim().toUpperCase();
        int shift = switch (t.isEmpty() ? ' ' : t.charAt(t.length() - 1)) {
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            case 'T' -> 40;
            default -> 0;
        };
        String digits = shift == 0 ? t : t.substring(0, t.length() - 1);
        try {
            long value = Long.parseLong(digits);
            if (value < 0 || value > (Long.MAX_VALUE >> shift)) {
                throw new TypeConversionException("size out of range: " + text);
            }
            return value << shift;
        } catch (NumberFormatException e) {
            throw new TypeConversionException("not a size (bytes, or a number with K/M/G/T): " + text);
        }
    }
}
