package dev.parvis.shell.runtime;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Regular expressions for -match, -replace and -split, compiled once (a small cache) and matched
 * over text that calls the run's checkpoint as the engine reads it, so a catastrophically
 * backtracking pattern stops on Ctrl-C or at the budget instead of hanging the shell.
 */
public final class Regexes {
    private static final int MAX_PATTERN = 10_000;
    private static final Map<String, Pattern> CACHE = Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Pattern> eldest) {
            return size() > 256;
        }
    });

    private Regexes() {
    }

    public static Pattern compile(String pattern, boolean caseSensitive) {
        if (pattern.length() > MAX_PATTERN) {
            throw invalid(pattern, "longer than " + MAX_PATTERN + " characters");
        }
        return CACHE.computeIfAbsent((caseSensitive ? "c:" : "i:") + pattern, k -> {
            try {
                return Pattern.compile(pattern, caseSensitive ? 0 : Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
            } catch (PatternSyntaxException e) {
                throw invalid(pattern, e.getDescription());
            }
        });
    }

    /** A matcher over {@code text} that checks {@code ctx} every few thousand characters read. */
    public static Matcher matcher(Pattern p, String text, OperatorContext ctx) {
        return p.matcher(new Checked(text, ctx));
    }

    /** Runs {@code work}; a regex engine recursing too deep becomes an error, not a crashed shell. */
    public static <T> T guarded(java.util.function.Supplier<T> work) {
        try {
            return work.get();
        } catch (StackOverflowError e) {
            throw new RuntimeError("The regular expression is too complex for this input.", ErrorCategory.LIMITS_EXCEEDED, "RegexTooComplex");
        }
    }

    private static RuntimeError invalid(String pattern, String why) {
        String shown = pattern.length() > 60 ? pattern.substring(0, 57) + "..." : pattern;
        return new RuntimeError("The regular expression pattern " + shown + " is not valid: " + why + ".",
                ErrorCategory.INVALID_ARGUMENT, "InvalidRegularExpression");
    }

    private record Checked(String text, OperatorContext ctx, int[] reads) implements CharSequence {
        Checked(String text, OperatorContext ctx) {
            this(text, ctx, new int[1]);
        }

        @Override
        public char charAt(int index) {
            if (++reads[0] >= 4096) {
                reads[0] = 0;
                ctx.checkpoint();
            }
            return text.charAt(index);
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return text.subSequence(start, end);
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
