package dev.parvis.wmi.wql;

import java.util.regex.Pattern;

/**
 * A WQL LIKE pattern: % any run of characters, _ one character, [abc] [a-z] a set, [^abc] not in
 * the set; everything else literal; case-insensitive.
 */
public record LikePattern(Pattern regex) {

    public static LikePattern of(String like) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < like.length(); i++) {
            char c = like.charAt(i);
            switch (c) {
                case '%' -> re.append(".*");
                case '_' -> re.append('.');
                case '[' -> {
                    int end = like.indexOf(']', i + 1);
                    if (end < 0) {
                        re.append(Pattern.quote("["));
                    } else {
                        re.append(set(like.substring(i + 1, end)));
                        i = end;
                    }
                }
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return new LikePattern(Pattern.compile(re.toString(), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.DOTALL));
    }

    private static String set(String body) {
        StringBuilder b = new StringBuilder("[");
        int i = 0;
        if (body.startsWith("^")) {
            b.append('^');
            i = 1;
        }
        for (; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '-' && i > 0 && i < body.length() - 1) {
                b.append('-');
            } else if (Character.isLetterOrDigit(c)) {
                b.append(c);
            } else {
                b.append('\\').append(c); // escapes ] \\ ^ - & [ inside the class
            }
        }
        return b.append(']').toString();
    }

    public boolean matches(String text) {
        return regex.matcher(text).matches();
    }
}
