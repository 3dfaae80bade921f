package dev.parvis.shell.syntax;

import java.util.Locale;
import java.util.Map;

/**
 * A binary operator: its kind and, for the comparison family, whether it compares case-sensitively
 * ({@code -ceq}) — PowerShell compares strings case-insensitively by default.
 */
public record BinaryOperator(Kind kind, boolean caseSensitive) {
    public enum Kind {
        ADD, SUBTRACT, MULTIPLY, DIVIDE, MODULO, FORMAT,
        EQ, NE, GT, GE, LT, LE, LIKE, NOTLIKE, MATCH, NOTMATCH, CONTAINS, NOTCONTAINS, IN, NOTIN, REPLACE,
        IS, ISNOT, AS, JOIN, SPLIT, AND, OR, XOR, BAND, BOR, BXOR, SHL, SHR
    }

    private static final Map<String, Kind> DASH_NAMES = Map.ofEntries(
            Map.entry("eq", Kind.EQ), Map.entry("ne", Kind.NE), Map.entry("gt", Kind.GT), Map.entry("ge", Kind.GE),
            Map.entry("lt", Kind.LT), Map.entry("le", Kind.LE), Map.entry("like", Kind.LIKE), Map.entry("notlike", Kind.NOTLIKE),
            Map.entry("match", Kind.MATCH), Map.entry("notmatch", Kind.NOTMATCH), Map.entry("contains", Kind.CONTAINS),
            Map.entry("notcontains", Kind.NOTCONTAINS), Map.entry("in", Kind.IN), Map.entry("notin", Kind.NOTIN),
            Map.entry("replace", Kind.REPLACE), Map.entry("is", Kind.IS), Map.entry("isnot", Kind.ISNOT), Map.entry("as", Kind.AS),
            Map.entry("join", Kind.JOIN), Map.entry("split", Kind.SPLIT), Map.entry("and", Kind.AND), Map.entry("or", Kind.OR),
            Map.entry("xor", Kind.XOR), Map.entry("band", Kind.BAND), Map.entry("bor", Kind.BOR), Map.entry("bxor", Kind.BXOR),
            Map.entry("shl", Kind.SHL), Map.entry("shr", Kind.SHR), Map.entry("f", Kind.FORMAT));

    /** The operator written {@code -name} (e.g. "ceq", "like", "f"); null when there is none. */
    public static BinaryOperator fromDashName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        Kind k = DASH_NAMES.get(n);
        if (k != null) {
            return new BinaryOperator(k, false);
        }
        if (n.length() > 1 && (n.charAt(0) == 'c' || n.charAt(0) == 'i')) {
            Kind base = DASH_NAMES.get(n.substring(1));
            if (base != null) {
                return new BinaryOperator(base, n.charAt(0) == 'c');
            }
        }
        return null;
    }

    public static BinaryOperator of(Kind kind) {
        return new BinaryOperator(kind, false);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case ADD -> "+";
            case SUBTRACT -> "-";
            case MULTIPLY -> "*";
            case DIVIDE -> "/";
            case MODULO -> "%";
            case FORMAT -> "-f";
            default -> "-" + (caseSensitive ? "c" : "") + kind.name().toLowerCase(Locale.ROOT);
        };
    }
}
