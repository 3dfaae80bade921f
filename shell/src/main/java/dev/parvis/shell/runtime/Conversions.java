package dev.parvis.shell.runtime;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.Locale;
import java.util.StringJoiner;

/** PowerShell's value conversions: to Boolean, to number, and to text. */
public final class Conversions {
    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("MM/dd/yyyy HH:mm:ss", Locale.ROOT);

    private Conversions() {
    }

    /** PowerShell truthiness: null, 0, "", empty collections and $false are false; a one-element collection is its element's. */
    public static boolean toBool(Object value) {
        Object v = unwrapSingle(value);
        return switch (v) {
            case null -> false;
            case Boolean b -> b;
            case Integer i -> i != 0;
            case Long l -> l != 0;
            case Double d -> d != 0 && !d.isNaN();
            case String s -> !s.isEmpty();
            case Collection<?> c -> !c.isEmpty();
            case EnumValue e -> e.value() != 0;
            default -> true;
        };
    }

    /** A one-element collection (nested any depth) as its element, without recursion. */
    private static Object unwrapSingle(Object v) {
        Object x = v;
        while (x instanceof Collection<?> c && c.size() == 1) {
            x = c.iterator().next();
        }
        return x;
    }

    /** The text of a value in a string context (interpolation, concatenation, -join): arrays join with spaces. */
    public static String toDisplayString(Object v) {
        if (v instanceof Collection<?> c) {
            StringJoiner j = new StringJoiner(" ");
            long length = 0;
            for (Object o : c) {
                String s = toShortString(o);
                length += s.length() + 1;
                Limits.checkString(length);
                j.add(s);
            }
            return j.toString();
        }
        return toShortString(v);
    }

    /** A value's own ToString(): arrays are "System.Object[]". */
    public static String toShortString(Object v) {
        return switch (v) {
            case null -> "";
            case String s -> s;
            case Boolean b -> b ? "True" : "False";
            case Double d -> formatDouble(d);
            case Duration d -> formatTimeSpan(d);
            case LocalDateTime t -> DATE_TIME.format(t);
            case ScriptBlock s -> s.toString();
            default -> v.toString();
        };
    }

    /** Doubles as PowerShell shows them: integral values without a fraction, others with up to 15 significant digits. */
    public static String formatDouble(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        BigDecimal b = new BigDecimal(d).round(new MathContext(15)).stripTrailingZeros();
        if (Math.abs(d) >= 1e15 || (Math.abs(d) < 1e-5 && d != 0)) {
            String s = String.format(Locale.ROOT, "%.14E", d);
            String mantissa = s.substring(0, s.indexOf('E')).replaceAll("0+$", "").replaceAll("\\.$", "");
            int exp = Integer.parseInt(s.substring(s.indexOf('E') + 1));
            return mantissa + "E" + (exp < 0 ? "-" : "+") + String.format(Locale.ROOT, "%02d", Math.abs(exp));
        }
        return b.toPlainString();
    }

    /** .NET's TimeSpan "c" format: {@code [-][d.]hh:mm:ss[.fffffff]}. */
    public static String formatTimeSpan(Duration d) {
        boolean negative = d.isNegative();
        Duration a = d.abs();
        long days = a.toDays();
        String s = "%s%02d:%02d:%02d".formatted(days > 0 ? days + "." : "", a.toHoursPart(), a.toMinutesPart(), a.toSecondsPart());
        long ticks = a.toNanosPart() / 100;
        if (ticks > 0) {
            s += "." + String.format(Locale.ROOT, "%07d", ticks);
        }
        return negative ? "-" + s : s;
    }

    /** A value as a number for arithmetic: numbers as they are, numeric strings parsed, $null and "" as 0, Booleans as 1/0. */
    public static Number toNumber(Object value) {
        Object v = unwrapSingle(value);
        return switch (v) {
            case null -> 0;
            case Integer i -> i;
            case Long l -> l;
            case Double d -> d;
            case Boolean b -> b ? 1 : 0;
            case EnumValue e -> e.value();
            case String s -> parseNumber(s);
            default -> throw cannotConvert(v, "System.Double");
        };
    }

    /** A number parsed from text (decimal, hex, exponent, size suffixes); "" and whitespace are 0. */
    public static Number parseNumber(String s) {
        String t = s.trim();
        if (t.isEmpty()) {
            return 0;
        }
        try {
            return (Number) dev.parvis.shell.syntax.NumberLiterals.parse(t.startsWith("+") ? t.substring(1) : t);
        } catch (NumberFormatException | ArithmeticException e) {
            // not a number: the error below
        }
        throw cannotConvert(s, "System.Int32");
    }

    /** {@code v} as an Int32 by the rules of an [int] cast (IntegerCast): a Double rounded half to even, a value outside refused. */
    public static int toInt(Object v) {
        return (Integer) IntegerCast.INT32.convert(v);
    }

    /** {@code v} as an Int64 by the rules of a [long] cast (IntegerCast): 2^63 is refused, not saturated. */
    public static long toLong(Object v) {
        return (Long) IntegerCast.INT64.convert(v);
    }

    public static double toDouble(Object v) {
        return toNumber(v).doubleValue();
    }

    public static RuntimeError cannotConvert(Object v, String type) {
        String shown = toShortString(v);
        if (shown.length() > 80) {
            shown = shown.substring(0, 77) + "...";
        }
        return new RuntimeError("Cannot convert value \"" + shown + "\" to type \"" + type + "\".",
                ErrorCategory.INVALID_ARGUMENT, "InvalidCastFromStringToInteger");
    }
}
