package dev.parvis.shell.syntax;

/** PowerShell's backtick escapes in "double-quoted" strings and here-strings. */
public final class StringEscapes {
    private StringEscapes() {
    }

    /** Expands {@code `n `t `0 `a `b `e `f `r `v `u{hex}} and {@code `x -> x}; {@code ""} becomes {@code "} when {@code quoted}. */
    public static String expand(String text, boolean quoted) {
        StringBuilder b = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '`' && i + 1 < text.length()) {
                i = escape(text, i + 1, b);
            } else if (quoted && c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                b.append('"');
                i++;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** Appends the escape at {@code i} (the character after the backtick); returns the index of its last character. */
    private static int escape(String text, int i, StringBuilder b) {
        char e = text.charAt(i);
        switch (e) {
            case '0' -> b.append('\0');
            case 'a' -> b.append('\u0007');
            case 'b' -> b.append('\b');
            case 'e' -> b.append('\u001b');
            case 'f' -> b.append('\f');
            case 'n' -> b.append('\n');
            case 'r' -> b.append('\r');
            case 't' -> b.append('\t');
            case 'v' -> b.append('\u000b');
            case 'u' -> {
                int close = text.indexOf('}', i);
                if (i + 1 < text.length() && text.charAt(i + 1) == '{' && close > i + 2 && close - i <= 8) {
                    try {
                        b.appendCodePoint(Integer.parseInt(text.substring(i + 2, close), 16));
                        return close;
                    } catch (IllegalArgumentException ignored) {
                        // not a code point: keep the text as written
                    }
                }
                b.append('u');
            }
            default -> b.append(e);
        }
        return i;
    }
}
