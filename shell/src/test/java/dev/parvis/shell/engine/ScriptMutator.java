package dev.parvis.shell.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Breaks a script the ways a hostile or damaged file would: tokens deleted, duplicated, swapped or
 * inserted; a region nested hundreds or thousands deep; one token made enormous; an opening or
 * closing bracket or quote out of place; control characters, Unicode dashes and quotes the lexer
 * treats specially, and lone UTF-16 surrogates; and, rarely (each costs a cancellation), a function
 * that recurses without end or a loop that never ends.
 */
final class ScriptMutator {
    /** Words, runs of blanks, and single other characters: close enough to the lexer's tokens to cut scripts at sensible places. */
    private static final Pattern TOKEN = Pattern.compile("[\\w$@:-]+|\\s+|.", Pattern.DOTALL);
    private static final String[] INSERTS = {"(", ")", "{", "}", "[", "]", "@(", "$(", "@{", "\"", "'", "@\"\n", "\n\"@", "@'\n", "\n'@", "`", "|", ";", ",",
        "=", "-", ".", "::", "$", "#", "<#", "#>", "&", "&&", "||", ">", "2>&1", "param(", "function", "if", "else", "-f", "-eq", "..", "++", "[int]", "\n"};
    private static final String[] ODD_CHARS = {"\u0000", "\u0001", "\u0007", "\b", "\u000b", "\f", "\r", "\u001b", "\u001f", "\u007f", "\u0085", "\u00a0",
        "\u2028", "\u2029", "\ufeff", "\u200b", "\u2013", "\u2014", "\u2015", "\u2018", "\u2019", "\u201c", "\u201d", "\u201e", "\ufffd", "\uffff",
        "\ud800", "\udfff", "\udc00\ud800", "\ud83d", "\ude00", "\ud83d\ude00"};
    private static final String[][] NESTINGS = {{"(", ")"}, {"{", "}"}, {"@(", ")"}, {"$(", ")"}, {"@{a=", "}"}, {"if (1) {", "}"}, {"& {", "}"},
        {"\"$(", ")\""}, {"[int]", ""}, {"-not ", ""}, {"!", ""}, {",", ""}, {"$a[", "]"}, {"function g { ", "}"}, {"try {", "} catch {}"},
        {"foreach ($q in 1) {", "}"}, {"1 + ", ""}, {"@'\n", "\n'@"}};
    private static final String[] RUNAWAYS = {
        "\nfunction fz-rec { fz-rec }; fz-rec", "\nfunction fz-p { fz-q }; function fz-q { fz-p }; fz-p",
        "\n$rb = { & $rb }; & $rb", "\nfunction fz-deep($n) { fz-deep ($n + 1) }; fz-deep 0",
        "\nfunction fz-rec { 1 | ForEach-Object { fz-rec } }; fz-rec", "\nwhile ($true) { }", "\nfor (;;) { $null }", "\ndo { } while (1)",
        "\ndo { } until ($false)", "\nwhile (1) { Get-VM | Out-Null }", "\nforeach ($z in 1..2147483647) { }",
        "\n1..2147483647 | ForEach-Object { $_ } | Out-Null", "\nwhile ($true) { try { throw 'x' } catch { } finally { } }",
        "\nwhile ($true) { $e = $e + 'x' }", "\nStart-Sleep -Seconds 100000", "\nwhile (1) { Start-Sleep -Milliseconds 1 }",
        "\n$l = @(); while ($true) { $l += 1 }", "\n:outer while (1) { continue }"};

    private final Random r;

    ScriptMutator(Random r) {
        this.r = r;
    }

    /** {@code script} with one to three mutations. */
    String mutate(String script) {
        String s = script;
        int edits = 1 + r.nextInt(3);
        for (int i = 0; i < edits; i++) {
            s = once(s);
        }
        return s;
    }

    private String once(String s) {
        List<String> tokens = tokens(s);
        int kind = r.nextInt(100);
        if (kind < 2) {
            return s + RUNAWAYS[r.nextInt(RUNAWAYS.length)];
        }
        if (kind < 10) {
            return nest(s);
        }
        if (kind < 16) {
            return enormous(tokens);
        }
        if (kind < 30) {
            return insertAt(tokens, ODD_CHARS[r.nextInt(ODD_CHARS.length)]);
        }
        if (kind < 45) {
            return insertAt(tokens, INSERTS[r.nextInt(INSERTS.length)]);
        }
        return tokenEdit(tokens, kind % 3);
    }

    private String tokenEdit(List<String> tokens, int which) {
        if (tokens.size() < 2) {
            return String.join("", tokens) + INSERTS[r.nextInt(INSERTS.length)];
        }
        int a = r.nextInt(tokens.size());
        switch (which) {
            case 0 -> tokens.remove(a);
            case 1 -> tokens.add(a, tokens.get(a));
            default -> Collections.swap(tokens, a, r.nextInt(tokens.size()));
        }
        return String.join("", tokens);
    }

    private String insertAt(List<String> tokens, String what) {
        tokens.add(tokens.isEmpty() ? 0 : r.nextInt(tokens.size() + 1), what);
        return String.join("", tokens);
    }

    /** A token repeated to tens or hundreds of thousands of characters, or a new enormous literal. */
    private String enormous(List<String> tokens) {
        int length = r.nextInt(6) > 0 ? 2_000 + r.nextInt(20_000) : 100_000 + r.nextInt(150_000);
        if (tokens.isEmpty() || r.nextInt(3) == 0) {
            String[] bases = {"x", "9", "'a", "\"a", "$v", "a`", "-", "(", "{", "@(", ";", "\n", "#", "0x"};
            return insertAt(tokens, bases[r.nextInt(bases.length)].repeat(Math.max(1, length / 2)));
        }
        int at = r.nextInt(tokens.size());
        String t = tokens.get(at);
        tokens.set(at, t.repeat(Math.max(1, length / Math.max(1, t.length()))));
        return String.join("", tokens);
    }

    /** A region wrapped in one construct nested 50 to 5,000 deep (open and close, or only one side). */
    private String nest(String s) {
        String[] n = NESTINGS[r.nextInt(NESTINGS.length)];
        int depth = switch (r.nextInt(4)) {
            case 0 -> 50;
            case 1 -> 200 + r.nextInt(300);
            case 2 -> 1_000 + r.nextInt(1_000);
            default -> 5_000;
        };
        int from = s.isEmpty() ? 0 : r.nextInt(s.length());
        int to = from + (s.length() == from ? 0 : r.nextInt(s.length() - from));
        boolean open = r.nextInt(5) > 0;
        boolean close = r.nextInt(5) > 0;
        return s.substring(0, from) + (open ? n[0].repeat(depth) : "") + s.substring(from, to) + (close ? n[1].repeat(depth) : "") + s.substring(to);
    }

    private static List<String> tokens(String s) {
        List<String> out = new ArrayList<>();
        Matcher m = TOKEN.matcher(s);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }
}
