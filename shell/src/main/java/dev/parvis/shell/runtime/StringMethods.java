package dev.parvis.shell.runtime;

import java.util.List;
import java.util.regex.Pattern;

/** The .NET string methods scripts use ({@code Trim}, {@code Split}, {@code Substring}, ...). */
final class StringMethods {
    private StringMethods() {
    }

    static Object invoke(String s, String n, String name, List<Object> args) {
        return switch (n) {
            case "toupper", "toupperinvariant" -> s.toUpperCase(java.util.Locale.ROOT);
            case "tolower", "tolowerinvariant" -> s.toLowerCase(java.util.Locale.ROOT);
            case "trim" -> args.isEmpty() ? s.strip() : trim(s, chars(args), true, true);
            case "trimstart" -> args.isEmpty() ? s.stripLeading() : trim(s, chars(args), true, false);
            case "trimend" -> args.isEmpty() ? s.stripTrailing() : trim(s, chars(args), false, true);
            case "split" -> split(s, args);
            case "replace" -> Methods.arity(args, 2, name) ? replace(s, text(args.get(0)), text(args.get(1))) : null;
            case "substring" -> substring(s, args, name);
            case "contains" -> Methods.arity(args, 1, name) && s.contains(text(args.get(0)));
            case "startswith" -> Methods.arity(args, 1, name) && s.startsWith(text(args.get(0)));
            case "endswith" -> Methods.arity(args, 1, name) && s.endsWith(text(args.get(0)));
            case "indexof" -> Methods.arity(args, 1, name) ? s.indexOf(text(args.get(0))) : -1;
            case "lastindexof" -> Methods.arity(args, 1, name) ? s.lastIndexOf(text(args.get(0))) : -1;
            case "padleft", "padright" -> pad(s, args, n.equals("padleft"), name);
            case "insert" -> Methods.arity(args, 2, name) ? insert(s, Conversions.toInt(args.get(0)), text(args.get(1))) : null;
            case "remove" -> remove(s, args, name);
            case "tochararray" -> new ShellArray(s.chars().mapToObj(c -> (Object) String.valueOf((char) c)).toList());
            case "compareto" -> Methods.arity(args, 1, name) ? Integer.signum(s.compareToIgnoreCase(text(args.get(0)))) : 0;
            default -> throw Methods.notFound(s, name);
        };
    }

    private static String text(Object o) {
        return Conversions.toShortString(o);
    }

    private static String chars(List<Object> args) {
        StringBuilder b = new StringBuilder();
        args.forEach(a -> Operators.asList(a).forEach(c -> b.append(text(c))));
        return b.toString();
    }

    private static String trim(String s, String chars, boolean start, boolean end) {
        int from = 0;
        int to = s.length();
        while (start && from < to && chars.indexOf(s.charAt(from)) >= 0) {
            from++;
        }
        while (end && to > from && chars.indexOf(s.charAt(to - 1)) >= 0) {
            to--;
        }
        return s.substring(from, to);
    }

    /** Split(char) splits at each of the characters given; Split("text") (one argument of 2+ characters) at the whole text. */
    private static ShellArray split(String s, List<Object> args) {
        String regex;
        if (args.isEmpty()) {
            regex = "\\s";
        } else if (args.size() == 1 && text(args.get(0)).length() > 1 && !(args.get(0) instanceof java.util.Collection<?>)) {
            regex = Pattern.quote(text(args.get(0)));
        } else {
            String cs = chars(args);
            regex = cs.isEmpty() ? "\\s" : alternation(cs);
        }
        return new ShellArray(List.of((Object[]) s.split(regex, -1)));
    }

    private static String alternation(String chars) {
        StringBuilder b = new StringBuilder();
        chars.chars().forEach(c -> b.append(b.isEmpty() ? "" : "|").append(Pattern.quote(String.valueOf((char) c))));
        return b.toString();
    }

    private static String replace(String s, String old, String replacement) {
        if (old.isEmpty()) {
            throw new RuntimeError("Exception calling \"Replace\": \"String cannot be of zero length.\"", ErrorCategory.INVALID_ARGUMENT, "ArgumentException");
        }
        long count = (s.length() - s.replace(old, "").length()) / old.length();
        Limits.checkString(s.length() + count * Math.max(0, replacement.length() - old.length()));
        return s.replace(old, replacement);
    }

    private static String substring(String s, List<Object> args, String name) {
        if (args.isEmpty() || args.size() > 2) {
            Methods.arity(args, 1, name);
        }
        int start = Conversions.toInt(args.get(0));
        int length = args.size() > 1 ? Conversions.toInt(args.get(1)) : s.length() - start;
        if (start < 0 || length < 0 || start > s.length() || start + (long) length > s.length()) {
            throw outOfRange("Substring", "startIndex cannot be larger than length of string, and length must refer to a location within the string");
        }
        return s.substring(start, start + length);
    }

    private static String pad(String s, List<Object> args, boolean left, String name) {
        if (args.isEmpty() || args.size() > 2) {
            Methods.arity(args, 1, name);
        }
        int width = Conversions.toInt(args.get(0));
        Limits.checkString(width);
        String fill = args.size() > 1 ? text(args.get(1)) : " ";
        if (fill.length() != 1) {
            throw outOfRange(name, "the padding must be one character");
        }
        if (width <= s.length()) {
            return s;
        }
        String pad = fill.repeat(width - s.length());
        return left ? pad + s : s + pad;
    }

    private static String insert(String s, int at, String text) {
        if (at < 0 || at > s.length()) {
            throw outOfRange("Insert", "the index must be within the string");
        }
        Limits.checkString((long) s.length() + text.length());
        return s.substring(0, at) + text + s.substring(at);
    }

    private static String remove(String s, List<Object> args, String name) {
        if (args.isEmpty() || args.size() > 2) {
            Methods.arity(args, 1, name);
        }
        int start = Conversions.toInt(args.get(0));
        int count = args.size() > 1 ? Conversions.toInt(args.get(1)) : s.length() - start;
        if (start < 0 || count < 0 || start + (long) count > s.length()) {
            throw outOfRange("Remove", "the index and count must refer to a location within the string");
        }
        return s.substring(0, start) + s.substring(start + count);
    }

    private static RuntimeError outOfRange(String method, String why) {
        return new RuntimeError("Exception calling \"" + method + "\": \"" + why + ".\"", ErrorCategory.INVALID_ARGUMENT,
                "ArgumentOutOfRangeException");
    }
}
