package dev.parvis.shell.runtime;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/** PowerShell wildcards ({@code *}, {@code ?}, {@code [a-z]}, backtick escapes) as anchored regular expressions. */
public final class Wildcard {
    private static final Map<String, Pattern> CACHE = Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Pattern> eldest) {
            return size() > 256;
        }
    });

    private Wildcard() {
    }

    public static boolean hasWildcards(String pattern) {
        return pattern.indexOf('*') >= 0 || pattern.indexOf('?') >= 0 || pattern.indexOf('[') >= 0;
    }

    public static boolean matches(String pattern, String text, boolean caseSensitive) {
        return compile(pattern, caseSensitive).matcher(text).matches();
    }

    public static Pattern compile(String pattern, boolean caseSensitive) {
        return CACHE.computeIfAbsent((caseSensitive ? "c:" : "i:") + pattern, k -> toRegex(pattern, caseSensitive));
    }

    private static Pattern toRegex(String pattern, boolean caseSensitive) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            switch (c) {
                case '*' -> b.append(".*");
                case '?' -> b.append('.');
                case '`' -> {
                    if (i + 1 < pattern.length()) {
                        b.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
                    }
                }
                case '[' -> i = bracket(pattern, i, b);
                default -> b.append(Pattern.quote(String.valueOf(c)));
            }
        }
        int flags = Pattern.DOTALL | (caseSensitive ? 0 : Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
        try {
            return Pattern.compile(b.toString(), flags);
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new RuntimeError("The wildcard pattern '" + pattern + "' is not valid.", ErrorCategory.INVALID_ARGUMENT, "WildcardPatternException");
        }
    }

    /** A [set] or [a-z] range; an unclosed '[' matches itself. */
    private static int bracket(String pattern, int open, StringBuilder b) {
        int close = pattern.indexOf(']', open + 1);
        if (close < 0 || close == open + 1) {
            b.append(Pattern.quote("["));
            return open;
        }
        b.append('[');
        for (int i = open + 1; i < close; i++) {
            char c = pattern.charAt(i);
            if (c == '-' && i > open + 1 && i < close - 1) {
                b.append('-');
            } else {
                b.append(Character.isLetterOrDigit(c) ? String.valueOf(c) : "\\" + c);
            }
        }
        b.append(']');
        return close;
    }
}
