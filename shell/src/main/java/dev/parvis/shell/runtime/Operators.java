package dev.parvis.shell.runtime;

import dev.parvis.shell.syntax.BinaryOperator;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The binary operators other than -and/-or (which the evaluator short-circuits). A comparison
 * with a collection on the left filters it ({@code 1,2,3 -gt 1} is {@code 2,3}), as in PowerShell.
 */
public final class Operators {
    private Operators() {
    }

    public static Object binary(BinaryOperator op, Object l, Object r, OperatorContext ctx) {
        boolean cs = op.caseSensitive();
        return switch (op.kind()) {
            case ADD -> Arithmetic.add(l, r);
            case SUBTRACT -> Arithmetic.subtract(l, r);
            case MULTIPLY -> Arithmetic.multiply(l, r);
            case DIVIDE -> Arithmetic.divide(l, r);
            case MODULO -> Arithmetic.modulo(l, r);
            case FORMAT -> FormatOperator.format(Conversions.toShortString(l), asList(r));
            case EQ, NE, GT, GE, LT, LE, LIKE, NOTLIKE, MATCH, NOTMATCH -> compareOrFilter(op, l, r, ctx);
            case CONTAINS -> contains(l, r, cs);
            case NOTCONTAINS -> !contains(l, r, cs);
            case IN -> contains(r, l, cs);
            case NOTIN -> !contains(r, l, cs);
            case REPLACE -> replace(l, r, cs, ctx);
            case IS -> TypeConversion.isInstance(l, type(r));
            case ISNOT -> !TypeConversion.isInstance(l, type(r));
            case AS -> TypeConversion.tryConvert(l, type(r).fullName());
            case JOIN -> join(l, Conversions.toShortString(r));
            case SPLIT -> split(l, r, cs, ctx);
            case AND -> Conversions.toBool(l) && Conversions.toBool(r);
            case OR -> Conversions.toBool(l) || Conversions.toBool(r);
            case XOR -> Conversions.toBool(l) ^ Conversions.toBool(r);
            case BAND -> narrow(Conversions.toLong(l) & Conversions.toLong(r), l, r);
            case BOR -> narrow(Conversions.toLong(l) | Conversions.toLong(r), l, r);
            case BXOR -> narrow(Conversions.toLong(l) ^ Conversions.toLong(r), l, r);
            case SHL -> narrow(Conversions.toLong(l) << (Conversions.toInt(r) & 63), l, r);
            case SHR -> narrow(Conversions.toLong(l) >> (Conversions.toInt(r) & 63), l, r);
        };
    }

    private static Object narrow(long v, Object l, Object r) {
        return l instanceof Integer && (r instanceof Integer || r instanceof String) && v == (int) v ? (Object) (int) v : (Object) v;
    }

    /** A value as a list: collections as they are, anything else as one element. */
    public static List<?> asList(Object v) {
        if (v instanceof List<?> l) {
            return l;
        }
        if (v instanceof Collection<?> c) {
            return new ArrayList<>(c);
        }
        return java.util.Collections.singletonList(v);
    }

    private static Object compareOrFilter(BinaryOperator op, Object l, Object r, OperatorContext ctx) {
        if (l instanceof Collection<?> c) {
            ShellArray out = new ShellArray();
            for (Object e : c) {
                ctx.checkpoint();
                if (test(op, e, r, ctx, false)) {
                    out.add(e);
                }
            }
            return out;
        }
        return test(op, l, r, ctx, true);
    }

    private static boolean test(BinaryOperator op, Object l, Object r, OperatorContext ctx, boolean setMatches) {
        boolean cs = op.caseSensitive();
        return switch (op.kind()) {
            case EQ -> Comparison.equal(l, r, cs);
            case NE -> !Comparison.equal(l, r, cs);
            case GT -> Comparison.compare(l, r, cs) > 0;
            case GE -> Comparison.compare(l, r, cs) >= 0;
            case LT -> Comparison.compare(l, r, cs) < 0;
            case LE -> Comparison.compare(l, r, cs) <= 0;
            case LIKE -> Wildcard.matches(Conversions.toShortString(r), Conversions.toShortString(l), cs);
            case NOTLIKE -> !Wildcard.matches(Conversions.toShortString(r), Conversions.toShortString(l), cs);
            case MATCH -> match(l, r, cs, ctx, setMatches);
            case NOTMATCH -> !match(l, r, cs, ctx, false);
            default -> throw new IllegalStateException("not a comparison: " + op);
        };
    }

    private static boolean match(Object l, Object r, boolean cs, OperatorContext ctx, boolean setMatches) {
        Pattern p = Regexes.compile(Conversions.toShortString(r), cs);
        Matcher m = Regexes.matcher(p, Conversions.toShortString(l), ctx);
        boolean found = Regexes.guarded(m::find);
        if (found && setMatches) {
            ShellHashtable groups = new ShellHashtable();
            for (int g = 0; g <= m.groupCount(); g++) {
                if (m.group(g) != null) {
                    groups.put(g, m.group(g));
                }
            }
            namedGroups(p).forEach(name -> {
                if (m.group(name) != null) {
                    groups.put(name, m.group(name));
                }
            });
            ctx.setMatches(groups);
        }
        return found;
    }

    private static List<String> namedGroups(Pattern p) {
        return new ArrayList<>(p.namedGroups().keySet());
    }

    private static boolean contains(Object collection, Object item, boolean cs) {
        for (Object e : asList(collection)) {
            if (Comparison.equal(e, item, cs)) {
                return true;
            }
        }
        return false;
    }

    private static Object replace(Object l, Object r, boolean cs, OperatorContext ctx) {
        List<?> args = asList(r);
        if (args.isEmpty() || args.size() > 2) {
            throw new RuntimeError("The -replace operator allows only two elements to follow it, not " + args.size() + ".",
                    ErrorCategory.INVALID_OPERATION, "BadReplaceArgument");
        }
        Pattern p = Regexes.compile(Conversions.toShortString(args.get(0)), cs);
        String replacement = args.size() > 1 ? Conversions.toShortString(args.get(1)) : "";
        // PowerShell's replacement text knows $1 and ${name} but not backslash escapes.
        String javaReplacement = replacement.replace("\\", "\\\\");
        if (l instanceof Collection<?> c) {
            ShellArray out = new ShellArray();
            for (Object e : c) {
                out.add(replaceOne(p, Conversions.toShortString(e), javaReplacement, ctx));
            }
            return out;
        }
        return replaceOne(p, Conversions.toShortString(l), javaReplacement, ctx);
    }

    private static String replaceOne(Pattern p, String text, String replacement, OperatorContext ctx) {
        try {
            String out = Regexes.guarded(() -> Regexes.matcher(p, text, ctx).replaceAll(replacement));
            Limits.checkString(out.length());
            return out;
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new RuntimeError("The replacement text is not valid: " + e.getMessage(), ErrorCategory.INVALID_ARGUMENT, "BadReplacement");
        }
    }

    public static String join(Object l, String separator) {
        StringBuilder b = new StringBuilder();
        String sep = "";
        for (Object e : asList(l)) {
            b.append(sep).append(Conversions.toShortString(e));
            sep = separator;
            Limits.checkString(b.length());
        }
        return b.toString();
    }

    private static ShellArray split(Object l, Object r, boolean cs, OperatorContext ctx) {
        List<?> args = asList(r);
        Pattern p = Regexes.compile(args.isEmpty() ? "\\s+" : Conversions.toShortString(args.get(0)), cs);
        int limit = args.size() > 1 ? Conversions.toInt(args.get(1)) : 0;
        ShellArray out = new ShellArray();
        for (Object e : asList(l)) {
            String text = Conversions.toShortString(e);
            String[] parts = Regexes.guarded(() -> p.split(new StringBuilder(text), limit <= 0 ? -1 : limit));
            for (String part : parts) {
                ctx.checkpoint();
                out.add(part);
            }
        }
        return out;
    }

    /** Unary -split: on whitespace, without empty pieces. */
    public static ShellArray splitWhitespace(Object v) {
        ShellArray out = new ShellArray();
        for (Object e : asList(v)) {
            for (String part : Conversions.toShortString(e).trim().split("\\s+")) {
                if (!part.isEmpty()) {
                    out.add(part);
                }
            }
        }
        return out;
    }

    private static ShellType type(Object r) {
        if (r instanceof ShellType t) {
            return t;
        }
        return new ShellType(TypeConversion.canonicalName(Conversions.toShortString(r)));
    }
}
