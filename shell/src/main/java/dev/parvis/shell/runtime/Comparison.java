package dev.parvis.shell.runtime;

import java.time.Duration;
import java.time.LocalDateTime;
import java.util.Collection;
import java.util.Objects;
import java.util.UUID;

/**
 * PowerShell's comparison: the right operand is converted to the left operand's type; strings
 * compare without regard to case unless asked; enumeration values equal their names and numbers.
 */
public final class Comparison {
    private Comparison() {
    }

    public static boolean equal(Object l, Object r, boolean caseSensitive) {
        if (l == null || r == null) {
            return l == null && r == null;
        }
        return switch (l) {
            case String s -> caseSensitive ? s.equals(text(r)) : s.equalsIgnoreCase(text(r));
            case Boolean b -> b == Conversions.toBool(r);
            case Number n -> numberEquals(n, r);
            case EnumValue e -> switch (r) {
                case EnumValue o -> e.name().equalsIgnoreCase(o.name());
                case Number n -> e.value() == n.doubleValue();
                default -> e.name().equalsIgnoreCase(text(r));
            };
            case Duration d -> r instanceof Duration o ? d.equals(o) : d.toString().equals(text(r));
            case LocalDateTime t -> r instanceof LocalDateTime o && t.equals(o);
            case UUID u -> u.toString().equalsIgnoreCase(text(r));
            default -> l == r || (!(l instanceof Collection<?>) && Objects.equals(l, r) && l.getClass() == r.getClass());
        };
    }

    private static boolean numberEquals(Number n, Object r) {
        Object other = r instanceof EnumValue e ? e.value() : r;
        if (other instanceof String s) {
            try {
                other = Conversions.parseNumber(s);
            } catch (RuntimeError e) {
                return false;
            }
        }
        if (other instanceof Boolean b) {
            other = b ? 1 : 0;
        }
        if (!(other instanceof Number o)) {
            return false;
        }
        if (n instanceof Double || o instanceof Double) {
            return n.doubleValue() == o.doubleValue();
        }
        return n.longValue() == o.longValue();
    }

    /** Orders two values; throws when they cannot be ordered. */
    public static int compare(Object l, Object r, boolean caseSensitive) {
        if (l == null || r == null) {
            return l == null ? (r == null ? 0 : -1) : 1;
        }
        return switch (l) {
            case String s -> caseSensitive ? s.compareTo(text(r)) : compareIgnoreCase(s, text(r));
            case Number n -> compareNumbers(n, r);
            case Boolean b -> Boolean.compare(b, Conversions.toBool(r));
            case EnumValue e -> r instanceof EnumValue o ? Integer.compare(e.value(), o.value())
                    : r instanceof Number n ? Double.compare(e.value(), n.doubleValue())
                    : compareIgnoreCase(e.name(), text(r));
            case Duration d when r instanceof Duration o -> d.compareTo(o);
            case LocalDateTime t when r instanceof LocalDateTime o -> t.compareTo(o);
            default -> throw notComparable(l, r);
        };
    }

    private static int compareIgnoreCase(String a, String b) {
        return a.compareToIgnoreCase(b);
    }

    private static int compareNumbers(Number n, Object r) {
        Number o;
        try {
            o = Conversions.toNumber(r);
        } catch (RuntimeError e) {
            throw notComparable(n, r);
        }
        if (n instanceof Double || o instanceof Double) {
            return Double.compare(n.doubleValue(), o.doubleValue());
        }
        return Long.compare(n.longValue(), o.longValue());
    }

    /** Orders values for Sort-Object: never throws; incomparable values fall back to their text. */
    public static int sortOrder(Object l, Object r, boolean caseSensitive) {
        try {
            return compare(l, r, caseSensitive);
        } catch (RuntimeError e) {
            return compareIgnoreCase(Conversions.toShortString(l), Conversions.toShortString(r));
        }
    }

    private static String text(Object r) {
        return Conversions.toShortString(r);
    }

    private static RuntimeError notComparable(Object l, Object r) {
        return new RuntimeError("Could not compare \"" + clip(text(l)) + "\" to \"" + clip(text(r)) + "\".",
                ErrorCategory.INVALID_OPERATION, "ComparisonFailure");
    }

    private static String clip(String s) {
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
}
