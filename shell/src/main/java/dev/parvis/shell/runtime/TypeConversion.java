package dev.parvis.shell.runtime;

import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/** Casts ({@code [int]$x}), -is and -as over the types the language knows, by their .NET names. */
public final class TypeConversion {
    private static final Map<String, String> ALIASES = Map.ofEntries(
            Map.entry("int", "System.Int32"), Map.entry("int32", "System.Int32"), Map.entry("long", "System.Int64"),
            Map.entry("int64", "System.Int64"), Map.entry("uint32", "System.UInt32"), Map.entry("uint", "System.UInt32"),
            Map.entry("uint64", "System.UInt64"), Map.entry("ulong", "System.UInt64"), Map.entry("int16", "System.Int16"),
            Map.entry("short", "System.Int16"), Map.entry("uint16", "System.UInt16"), Map.entry("ushort", "System.UInt16"),
            Map.entry("byte", "System.Byte"), Map.entry("sbyte", "System.SByte"), Map.entry("bigint", "System.Numerics.BigInteger"),
            Map.entry("numerics.biginteger", "System.Numerics.BigInteger"),
            Map.entry("double", "System.Double"), Map.entry("float", "System.Double"), Map.entry("single", "System.Double"),
            Map.entry("decimal", "System.Double"), Map.entry("string", "System.String"), Map.entry("bool", "System.Boolean"),
            Map.entry("boolean", "System.Boolean"), Map.entry("switch", "System.Boolean"), Map.entry("char", "System.Char"),
            Map.entry("array", "System.Object[]"), Map.entry("object[]", "System.Object[]"), Map.entry("hashtable", "System.Collections.Hashtable"),
            Map.entry("ordered", "System.Collections.Hashtable"), Map.entry("pscustomobject", PSObject.CUSTOM_TYPE),
            Map.entry("psobject", PSObject.CUSTOM_TYPE), Map.entry("datetime", "System.DateTime"), Map.entry("timespan", "System.TimeSpan"),
            Map.entry("guid", "System.Guid"), Map.entry("scriptblock", "System.Management.Automation.ScriptBlock"),
            Map.entry("object", "System.Object"), Map.entry("void", "System.Void"), Map.entry("math", "System.Math"),
            Map.entry("regex", "System.Text.RegularExpressions.Regex"), Map.entry("errorrecord", "System.Management.Automation.ErrorRecord"),
            Map.entry("environment", "System.Environment"), Map.entry("io.path", "System.IO.Path"));

    private TypeConversion() {
    }

    /** The full name for a type as written ({@code int} is System.Int32, {@code System.String} stays). */
    public static String canonicalName(String written) {
        String w = written.toLowerCase(Locale.ROOT);
        boolean array = w.endsWith("[]") && !w.equals("object[]");
        String base = array ? w.substring(0, w.length() - 2) : w;
        String stripped = base.startsWith("system.") ? base.substring(7) : base;
        String full = ALIASES.get(base);
        if (full == null) {
            full = ALIASES.get(stripped);
        }
        if (full == null) {
            String name = array ? written.substring(0, written.length() - 2) : written;
            full = ALIASES.values().stream().filter(v -> v.equalsIgnoreCase(name)).findFirst().orElse(name);
        }
        return array ? full + "[]" : full;
    }

    public static boolean isKnown(String fullName) {
        String base = fullName.endsWith("[]") ? fullName.substring(0, fullName.length() - 2) : fullName;
        return ALIASES.containsValue(base) || base.equals("System.Object[]");
    }

    /** Converts {@code v} to the type named {@code fullName}; throws a RuntimeError when it cannot. */
    public static Object convert(Object v, String fullName) {
        if (fullName.endsWith("[]") && !fullName.equals("System.Object[]")) {
            String element = fullName.substring(0, fullName.length() - 2);
            ShellArray out = new ShellArray();
            for (Object e : Operators.asList(v)) {
                out.add(convert(e, element));
            }
            return out;
        }
        IntegerCast integer = IntegerCast.of(fullName);
        if (integer != null) {
            return integer.convert(v);
        }
        return switch (fullName) {
            case "System.Object", "System.Void" -> v;
            case "System.String" -> v == null ? "" : Conversions.toDisplayString(v);
            case "System.Double" -> Conversions.toDouble(v);
            case "System.Boolean" -> Conversions.toBool(v);
            case "System.Char" -> toChar(v);
            case "System.Object[]" -> v == null ? null : v instanceof Collection<?> c ? new ShellArray(c) : ShellArray.of(v);
            case "System.Collections.Hashtable" -> toHashtable(v);
            case PSObject.CUSTOM_TYPE -> toCustomObject(v);
            case "System.DateTime" -> toDateTime(v);
            case "System.TimeSpan" -> toTimeSpan(v);
            case "System.Guid" -> toGuid(v);
            case "System.Management.Automation.ScriptBlock" -> v instanceof ScriptBlock ? v : raise(v, fullName);
            default -> isInstance(v, new ShellType(fullName)) ? v : raise(v, fullName);
        };
    }

    /** -as: the converted value, or null when it cannot be converted. */
    public static Object tryConvert(Object v, String fullName) {
        try {
            return convert(v, fullName);
        } catch (RuntimeError e) {
            return null;
        }
    }

    public static boolean isInstance(Object v, ShellType type) {
        if (v == null) {
            return false;
        }
        String want = canonicalName(type.fullName());
        if (want.equals("System.Object")) {
            return true;
        }
        if (v instanceof PSObject o) {
            return o.isA(want);
        }
        if (want.equals("System.Object[]") || want.equalsIgnoreCase("System.Array")) {
            return v instanceof ShellArray;
        }
        String have = TypeNames.fullName(v);
        return have.equalsIgnoreCase(want) || ShellTypeNames.simple(have).equalsIgnoreCase(want);
    }

    private static Object toChar(Object v) {
        if (v instanceof Number n) {
            return String.valueOf((char) Conversions.toInt(n));
        }
        String s = Conversions.toShortString(v);
        if (s.length() != 1) {
            throw fail(v, "System.Char");
        }
        return s;
    }

    private static Object toHashtable(Object v) {
        if (v instanceof ShellHashtable h) {
            return h;
        }
        if (v instanceof PSObject o) {
            ShellHashtable h = new ShellHashtable();
            o.entries().forEach(e -> h.put(e.getKey(), e.getValue()));
            return h;
        }
        throw fail(v, "System.Collections.Hashtable");
    }

    private static Object toCustomObject(Object v) {
        if (v instanceof ShellHashtable h) {
            PSObject o = PSObject.custom();
            h.entries().forEach(e -> o.add(Conversions.toShortString(e.getKey()), e.getValue()));
            return o;
        }
        return v;
    }

    private static Object toDateTime(Object v) {
        if (v instanceof LocalDateTime) {
            return v;
        }
        String s = Conversions.toShortString(v).trim();
        for (String pattern : List.of("MM/dd/yyyy HH:mm:ss", "M/d/yyyy H:mm:ss", "M/d/yyyy")) {
            try {
                DateTimeFormatter f = DateTimeFormatter.ofPattern(pattern, Locale.ROOT);
                return pattern.contains("H") ? LocalDateTime.parse(s, f) : LocalDate.parse(s, f).atStartOfDay();
            } catch (DateTimeParseException ignored) {
                // try the next form
            }
        }
        try {
            return s.contains("T") || s.contains(" ") ? LocalDateTime.parse(s.replace(' ', 'T')) : LocalDate.parse(s).atStartOfDay();
        } catch (DateTimeParseException e) {
            throw fail(v, "System.DateTime");
        }
    }

    private static Object toTimeSpan(Object v) {
        if (v instanceof Duration) {
            return v;
        }
        if (v instanceof Number n) {
            return Duration.ofNanos(Conversions.toLong(n) * 100);
        }
        String s = Conversions.toShortString(v).trim();
        try {
            String[] dayAndTime = s.split("\\.", 2);
            long days = 0;
            String time = s;
            if (dayAndTime.length == 2 && dayAndTime[0].chars().allMatch(Character::isDigit) && dayAndTime[1].contains(":")) {
                days = Long.parseLong(dayAndTime[0]);
                time = dayAndTime[1];
            }
            String[] hms = time.split(":");
            if (hms.length < 2 || hms.length > 3) {
                throw fail(v, "System.TimeSpan");
            }
            double seconds = hms.length == 3 ? Double.parseDouble(hms[2]) : 0;
            return Duration.ofDays(days).plusHours(Long.parseLong(hms[0])).plusMinutes(Long.parseLong(hms[1]))
                    .plusNanos((long) (seconds * 1e9));
        } catch (NumberFormatException | ArithmeticException e) {
            throw fail(v, "System.TimeSpan");
        }
    }

    private static Object toGuid(Object v) {
        if (v instanceof UUID) {
            return v;
        }
        try {
            return UUID.fromString(Conversions.toShortString(v).trim());
        } catch (IllegalArgumentException e) {
            throw fail(v, "System.Guid");
        }
    }

    private static Object raise(Object v, String type) {
        throw fail(v, type);
    }

    private static RuntimeError fail(Object v, String type) {
        return Conversions.cannotConvert(v, type);
    }
}
