package dev.parvis.shell.runtime;

import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * The -f operator: .NET composite formatting, {@code {index[,alignment][:format]}} with {@code {{}}
 * escapes; numeric formats N, F, D, X, P, E and custom patterns ({@code 0.00}, {@code #,##0}); date
 * patterns ({@code yyyy-MM-dd HH:mm:ss}).
 */
public final class FormatOperator {
    private static final int MAX_ALIGNMENT = 10_000;

    private FormatOperator() {
    }

    public static String format(String fmt, List<?> args) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < fmt.length()) {
            char c = fmt.charAt(i);
            if (c == '{' && i + 1 < fmt.length() && fmt.charAt(i + 1) == '{' || c == '}' && i + 1 < fmt.length() && fmt.charAt(i + 1) == '}') {
                out.append(c);
                i += 2;
            } else if (c == '{') {
                int close = fmt.indexOf('}', i);
                if (close < 0) {
                    throw badFormat();
                }
                out.append(item(fmt.substring(i + 1, close), args));
                i = close + 1;
            } else if (c == '}') {
                throw badFormat();
            } else {
                out.append(c);
                i++;
            }
            Limits.checkString(out.length());
        }
        return out.toString();
    }

    private static String item(String spec, List<?> args) {
        int colon = spec.indexOf(':');
        String head = colon < 0 ? spec : spec.substring(0, colon);
        String format = colon < 0 ? "" : spec.substring(colon + 1);
        int comma = head.indexOf(',');
        int index;
        int align = 0;
        try {
            index = Integer.parseInt((comma < 0 ? head : head.substring(0, comma)).trim());
            if (comma >= 0) {
                align = Integer.parseInt(head.substring(comma + 1).trim());
            }
        } catch (NumberFormatException e) {
            throw badFormat();
        }
        if (index < 0 || index >= args.size()) {
            throw new RuntimeError("Index (zero based) must be greater than or equal to zero and less than the size of the argument list.",
                    ErrorCategory.INVALID_ARGUMENT, "FormatError");
        }
        if (Math.abs(align) > MAX_ALIGNMENT) {
            throw badFormat();
        }
        String text = formatValue(args.get(index), format);
        if (text.length() < Math.abs(align)) {
            String pad = " ".repeat(Math.abs(align) - text.length());
            text = align > 0 ? pad + text : text + pad;
        }
        return text;
    }

    /** One value with a .NET format string (empty: its plain text). */
    public static String formatValue(Object v, String format) {
        if (format.isEmpty()) {
            return Conversions.toShortString(v);
        }
        if (v instanceof LocalDateTime t) {
            return dateFormat(t, format);
        }
        if (!(v instanceof Number n)) {
            return Conversions.toShortString(v);
        }
        char kind = Character.toUpperCase(format.charAt(0));
        String digitsText = format.substring(1);
        boolean standard = format.length() <= 3 && digitsText.chars().allMatch(Character::isDigit) && "NFDXPE".indexOf(kind) >= 0;
        if (!standard) {
            return custom(n, format);
        }
        int digits = digitsText.isEmpty() ? -1 : Integer.parseInt(digitsText);
        return switch (kind) {
            case 'N' -> String.format(Locale.ROOT, "%,." + (digits < 0 ? 2 : digits) + "f", n.doubleValue());
            case 'F' -> String.format(Locale.ROOT, "%." + (digits < 0 ? 2 : digits) + "f", n.doubleValue());
            case 'P' -> String.format(Locale.ROOT, "%,." + (digits < 0 ? 2 : digits) + "f %%", n.doubleValue() * 100);
            case 'E' -> String.format(Locale.ROOT, "%." + (digits < 0 ? 6 : digits) + "E", n.doubleValue());
            case 'D' -> zeroPad(Long.toString(Conversions.toLong(n)), digits);
            default -> {
                String hex = Long.toHexString(Conversions.toLong(n));
                hex = Character.isUpperCase(format.charAt(0)) ? hex.toUpperCase(Locale.ROOT) : hex;
                yield zeroPad(hex, digits);
            }
        };
    }

    private static String zeroPad(String s, int digits) {
        boolean neg = s.startsWith("-");
        String body = neg ? s.substring(1) : s;
        while (body.length() < digits) {
            body = "0" + body;
        }
        return neg ? "-" + body : body;
    }

    private static String custom(Number n, String format) {
        try {
            return new DecimalFormat(format, DecimalFormatSymbols.getInstance(Locale.ROOT)).format(n);
        } catch (IllegalArgumentException e) {
            return format;
        }
    }

    private static String dateFormat(LocalDateTime t, String format) {
        String java = format.replace("tt", "a").replace("fff", "SSS").replace("ff", "SS").replace("dddd", "EEEE").replace("ddd", "EEE");
        try {
            return DateTimeFormatter.ofPattern(java, Locale.ROOT).format(t);
        } catch (IllegalArgumentException | java.time.DateTimeException e) {
            // a pattern Java cannot read, or one naming a field a local date and time lacks (an offset or zone: 'O', 'Z', 'z')
            return Conversions.toShortString(t);
        }
    }

    private static RuntimeError badFormat() {
        return new RuntimeError("Error formatting a string: Input string was not in a correct format.",
                ErrorCategory.INVALID_ARGUMENT, "FormatError");
    }
}
