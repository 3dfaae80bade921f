package dev.parvis.shell.runtime;

/**
 * Size limits every value the language builds respects, so a script cannot exhaust the shell's
 * memory with one expression ({@code 'x' * 1e12}, {@code @(0) * 1e9}, {@code 1..1e12}).
 */
public final class Limits {
    /** Most elements in one array, range or hashtable. */
    public static final int MAX_ELEMENTS = 5_000_000;
    /** Longest string, in characters. */
    public static final int MAX_STRING = 16 * 1024 * 1024;

    private Limits() {
    }

    public static void checkElements(long count) {
        if (count > MAX_ELEMENTS) {
            throw new RuntimeError("The collection would have " + count + " elements; the limit is " + MAX_ELEMENTS + ".",
                    ErrorCategory.LIMITS_EXCEEDED, "CollectionTooLarge");
        }
    }

    public static void checkString(long length) {
        if (length > MAX_STRING) {
            throw new RuntimeError("The string would have " + length + " characters; the limit is " + MAX_STRING + ".",
                    ErrorCategory.LIMITS_EXCEEDED, "StringTooLong");
        }
    }
}
