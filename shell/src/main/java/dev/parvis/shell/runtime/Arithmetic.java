package dev.parvis.shell.runtime;

import java.time.Duration;
import java.time.LocalDateTime;
import java.util.Collection;

/**
 * PowerShell's arithmetic: Int32 widens to Int64 and then to Double on overflow, integer division
 * that does not come out even gives a Double, '+' concatenates strings and arrays and merges
 * hashtables, '*' repeats strings and arrays (within {@link Limits}), dates and time spans add.
 */
public final class Arithmetic {
    private Arithmetic() {
    }

    public static Object add(Object l, Object r) {
        return switch (l) {
            case null -> r;
            case String s -> concat(s, Conversions.toDisplayString(r));
            case Collection<?> c -> concatArrays(c, r);
            case ShellHashtable h -> mergeHashtables(h, r);
            case LocalDateTime t when r instanceof Duration d -> t.plus(d);
            case Duration d when r instanceof Duration e -> d.plus(e);
            default -> addNumbers(Conversions.toNumber(l), Conversions.toNumber(r));
        };
    }

    public static Object subtract(Object l, Object r) {
        if (l instanceof LocalDateTime t) {
            if (r instanceof LocalDateTime u) {
                return Duration.between(u, t);
            }
            if (r instanceof Duration d) {
                return t.minus(d);
            }
        }
        if (l instanceof Duration d && r instanceof Duration e) {
            return d.minus(e);
        }
        Number a = Conversions.toNumber(l);
        Number b = Conversions.toNumber(r);
        if (a instanceof Double || b instanceof Double) {
            return a.doubleValue() - b.doubleValue();
        }
        try {
            return narrow(Math.subtractExact(a.longValue(), b.longValue()), a, b);
        } catch (ArithmeticException e) {
            return a.doubleValue() - b.doubleValue();
        }
    }

    public static Object multiply(Object l, Object r) {
        if (l instanceof String s) {
            int n = Conversions.toInt(r);
            if (n < 0) {
                throw new RuntimeError("A string cannot be repeated a negative number of times.", ErrorCategory.INVALID_ARGUMENT, "BadRepeat");
            }
            Limits.checkString((long) s.length() * n);
            return s.repeat(n);
        }
        if (l instanceof Collection<?> c) {
            int n = Conversions.toInt(r);
            Limits.checkElements((long) c.size() * Math.max(0, n));
            ShellArray out = new ShellArray();
            for (int i = 0; i < n; i++) {
                out.addAll(c);
            }
            return out;
        }
        Number a = Conversions.toNumber(l);
        Number b = Conversions.toNumber(r);
        if (a instanceof Double || b instanceof Double) {
            return a.doubleValue() * b.doubleValue();
        }
        try {
            return narrow(Math.multiplyExact(a.longValue(), b.longValue()), a, b);
        } catch (ArithmeticException e) {
            return a.doubleValue() * b.doubleValue();
        }
    }

    public static Object divide(Object l, Object r) {
        Number a = Conversions.toNumber(l);
        Number b = Conversions.toNumber(r);
        if (b.doubleValue() == 0) {
            throw divideByZero();
        }
        if (a instanceof Double || b instanceof Double) {
            return a.doubleValue() / b.doubleValue();
        }
        long x = a.longValue();
        long y = b.longValue();
        if (x % y == 0 && !(x == Long.MIN_VALUE && y == -1)) {
            return narrow(x / y, a, b);
        }
        return (double) x / y;
    }

    public static Object modulo(Object l, Object r) {
        Number a = Conversions.toNumber(l);
        Number b = Conversions.toNumber(r);
        if (b.doubleValue() == 0) {
            throw divideByZero();
        }
        if (a instanceof Double || b instanceof Double) {
            return a.doubleValue() % b.doubleValue();
        }
        if (b.longValue() == -1) {
            return narrow(0, a, b);
        }
        return narrow(a.longValue() % b.longValue(), a, b);
    }

    public static Object negate(Object v) {
        Number n = Conversions.toNumber(v);
        return switch (n) {
            case Double d -> -d;
            case Integer i when i != Integer.MIN_VALUE -> -i;
            case Long l when l != Long.MIN_VALUE -> -l;
            case Integer i -> -(long) i;
            default -> -n.doubleValue();
        };
    }

    public static Object addNumbers(Number a, Number b) {
        if (a instanceof Double || b instanceof Double) {
            return a.doubleValue() + b.doubleValue();
        }
        try {
            return narrow(Math.addExact(a.longValue(), b.longValue()), a, b);
        } catch (ArithmeticException e) {
            return a.doubleValue() + b.doubleValue();
        }
    }

    /** Int32 when both operands were Int32 and the result fits, else Int64. */
    private static Object narrow(long v, Number a, Number b) {
        if (a instanceof Integer && b instanceof Integer && v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            return (int) v;
        }
        return v;
    }

    private static String concat(String a, String b) {
        Limits.checkString((long) a.length() + b.length());
        return a + b;
    }

    private static ShellArray concatArrays(Collection<?> c, Object r) {
        long more = r instanceof Collection<?> rc ? rc.size() : 1;
        Limits.checkElements(c.size() + more);
        ShellArray out = new ShellArray(c);
        if (r instanceof Collection<?> rc) {
            out.addAll(rc);
        } else {
            out.add(r);
        }
        return out;
    }

    private static ShellHashtable mergeHashtables(ShellHashtable h, Object r) {
        if (!(r instanceof ShellHashtable other)) {
            throw new RuntimeError("A hash table can only be added to another hash table.", ErrorCategory.INVALID_OPERATION, "AddHashTableToNonHashTable");
        }
        ShellHashtable out = h.copy();
        for (var e : other.entries()) {
            out.add(e.getKey(), e.getValue());
        }
        return out;
    }

    private static RuntimeError divideByZero() {
        return new RuntimeError("Attempted to divide by zero.", ErrorCategory.NOT_SPECIFIED, "RuntimeException");
    }
}
