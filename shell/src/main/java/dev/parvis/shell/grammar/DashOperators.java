package dev.parvis.shell.grammar;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The '-word' operators of the language and the token group each belongs to (which fixes its precedence). */
public final class DashOperators {
    private static final List<String> COMPARISONS = List.of("eq", "ne", "gt", "ge", "lt", "le", "like", "notlike", "match",
            "notmatch", "contains", "notcontains", "in", "notin", "replace");
    private static final Map<String, Integer> TYPES = new HashMap<>();

    static {
        for (String op : COMPARISONS) {
            TYPES.put(op, ShellLexer.CMP_OP);
            TYPES.put("i" + op, ShellLexer.CMP_OP);
            TYPES.put("c" + op, ShellLexer.CMP_OP);
        }
        for (String op : List.of("is", "isnot", "as")) {
            TYPES.put(op, ShellLexer.CMP_OP);
        }
        for (String op : List.of("join", "split", "isplit", "csplit")) {
            TYPES.put(op, ShellLexer.JOIN_SPLIT_OP);
        }
        for (String op : List.of("and", "or", "xor")) {
            TYPES.put(op, ShellLexer.LOGIC_OP);
        }
        for (String op : List.of("band", "bor", "bxor", "shl", "shr")) {
            TYPES.put(op, ShellLexer.BIT_OP);
        }
        TYPES.put("not", ShellLexer.NOT_OP);
        TYPES.put("bnot", ShellLexer.BNOT_OP);
        TYPES.put("f", ShellLexer.FORMAT_OP);
    }

    private DashOperators() {
    }

    /** The token type of {@code -name} (name in lower case), {@link ShellLexer#UNKNOWN_OP} when it is not an operator. */
    static int tokenType(String name) {
        return TYPES.getOrDefault(name, ShellLexer.UNKNOWN_OP);
    }

    /** Every operator name (without the dash), for completion and error hints. */
    public static List<String> names() {
        return TYPES.keySet().stream().sorted().toList();
    }
}
