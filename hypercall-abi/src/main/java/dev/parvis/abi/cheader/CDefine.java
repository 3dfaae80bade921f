package dev.parvis.abi.cheader;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One {@code #define NAME value} of the header, taken from a public static final constant.
 *
 * @param bits the width of the Java constant; C sees the value zero-extended to it
 */
public record CDefine(String name, long value, int bits, boolean decimal) {
    /** Quantities print in decimal, codes and masks in hex. */
    private static final Set<String> QUANTITY_WORDS = Set.of(
            "SIZE", "COUNT", "SHIFT", "OFFSET", "PAYLOAD", "DATA", "BYTES", "VECTOR", "ALIGNMENT", "INPUT", "QWORDS", "SINT", "VERSION",
            "PFNS", "CHANNELS");

    /** The value as C computes it: an unsigned integer of {@code bits} width. */
    public long unsignedValue() {
        return bits == 64 ? value : value & ((1L << bits) - 1);
    }

    public String unsignedString() {
        return Long.toUnsignedString(unsignedValue());
    }

    /** A literal with the suffix that gives it at least the Java width, e.g. {@code 0x00010000u}. */
    public String cLiteral() {
        String suffix = bits == 64 ? "ull" : bits == 32 ? "u" : "";
        if (decimal) {
            return unsignedString() + (bits == 64 ? "ull" : "");
        }
        return ("0x%0" + bits / 4 + "x").formatted(unsignedValue()) + suffix;
    }

    /** Every public static final integral constant of {@code type}, named {@code prefix + field}. */
    public static List<CDefine> scan(Class<?> type, String prefix) {
        List<CDefine> out = new ArrayList<>();
        for (Field f : type.getDeclaredFields()) {
            int m = f.getModifiers();
            if (Modifier.isPublic(m) && Modifier.isStatic(m) && Modifier.isFinal(m)) {
                of(f, prefix).ifPresent(out::add);
            }
        }
        return out;
    }

    private static Optional<CDefine> of(Field f, String prefix) {
        Object v = read(f);
        boolean code = false;
        if (v instanceof Record r && r.getClass().getRecordComponents().length == 1) {
            v = componentOf(r);
            code = true;
        }
        int bits = switch (v) {
            case Byte b -> 8;
            case Short s -> 16;
            case Integer i -> 32;
            case Long l -> 64;
            case null, default -> 0;
        };
        if (bits == 0) {
            return Optional.empty();
        }
        long value = ((Number) v).longValue();
        return Optional.of(new CDefine(prefix + f.getName(), value, bits, !code && isQuantity(f.getName(), value)));
    }

    private static boolean isQuantity(String name, long value) {
        String last = name.substring(name.lastIndexOf('_') + 1);
        return QUANTITY_WORDS.contains(last) && value >= 0 && value < 0x10000;
    }

    private static Object read(Field f) {
        try {
            return f.get(null);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot read " + f, e);
        }
    }

    private static Object componentOf(Record r) {
        RecordComponent c = r.getClass().getRecordComponents()[0];
        try {
            return c.getAccessor().invoke(r);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + c, e);
        }
    }
}
