package dev.parvis.wmi.wql;

import dev.parvis.wmi.cim.CimValue;
import dev.parvis.wmi.cim.InvalidParameterException;
import dev.parvis.wmi.cim.ObjectPath;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Evaluates WHERE conditions with SQL's three-valued logic as WMI does: a comparison with NULL is
 * unknown (neither it nor its NOT matches); strings compare without case; numbers numerically;
 * datetimes and references by value.
 */
public final class Conditions {
    private Conditions() {}

    /** True when the row satisfies the condition (unknown does not). */
    public static boolean matches(Expr e, Row row) {
        return Boolean.TRUE.equals(eval(e, row));
    }

    /** TRUE, FALSE or null (unknown). */
    static Boolean eval(Expr e, Row row) {
        return switch (e) {
            case Expr.And a -> and(eval(a.left(), row), eval(a.right(), row));
            case Expr.Or o -> or(eval(o.left(), row), eval(o.right(), row));
            case Expr.Not n -> {
                Boolean v = eval(n.inner(), row);
                yield v == null ? null : !v;
            }
            case Expr.Compare c -> compare(value(c.left(), row), c.op(), value(c.right(), row));
            case Expr.Like l -> value(l.operand(), row)
                    .map(v -> LikePattern.of(l.pattern()).matches(v.display()) != l.negated()).orElse(null);
            case Expr.IsNull i -> value(i.operand(), row).isEmpty() != i.negated();
            case Expr.Isa i -> row.className(i.operand()).map(c -> c.equalsIgnoreCase(i.className())).orElse(false);
        };
    }

    private static Boolean and(Boolean a, Boolean b) {
        if (Boolean.FALSE.equals(a) || Boolean.FALSE.equals(b)) {
            return false;
        }
        return a == null || b == null ? null : true;
    }

    private static Boolean or(Boolean a, Boolean b) {
        if (Boolean.TRUE.equals(a) || Boolean.TRUE.equals(b)) {
            return true;
        }
        return a == null || b == null ? null : false;
    }

    private static Optional<CimValue> value(Expr.Operand o, Row row) {
        return switch (o) {
            case Expr.Operand.Property p -> row.value(p);
            case Expr.Operand.Literal l -> Optional.ofNullable(l.value());
        };
    }

    private static Boolean compare(Optional<CimValue> left, Expr.Comparator op, Optional<CimValue> right) {
        if (left.isEmpty() || right.isEmpty()) {
            return null;
        }
        Integer order = order(left.get(), right.get());
        if (order == null) {
            return switch (op) {
                case EQ -> false;
                case NE -> true;
                default -> null;
            };
        }
        return switch (op) {
            case EQ -> order == 0;
            case NE -> order != 0;
            case LT -> order < 0;
            case LE -> order <= 0;
            case GT -> order > 0;
            case GE -> order >= 0;
        };
    }

    /** The order of two values, or null when they cannot be ordered (only = and <> then apply). */
    static Integer order(CimValue a, CimValue b) {
        Optional<Double> x = number(a);
        Optional<Double> y = number(b);
        if (x.isPresent() && y.isPresent() && (isNumeric(a) || isNumeric(b))) {
            return Double.compare(x.get(), y.get());
        }
        if (a instanceof CimValue.DateTime || b instanceof CimValue.DateTime) {
            Optional<Instant> p = instant(a);
            Optional<Instant> q = instant(b);
            return p.isPresent() && q.isPresent() ? p.get().compareTo(q.get()) : null;
        }
        if (a instanceof CimValue.Ref || b instanceof CimValue.Ref) {
            return path(a).equals(path(b)) ? 0 : null;
        }
        if (a instanceof CimValue.Bool || b instanceof CimValue.Bool) {
            Optional<Boolean> p = bool(a);
            Optional<Boolean> q = bool(b);
            return p.isPresent() && q.isPresent() ? Boolean.compare(p.get(), q.get()) : null;
        }
        return a.display().compareToIgnoreCase(b.display());
    }

    private static boolean isNumeric(CimValue v) {
        return v instanceof CimValue.Int || v instanceof CimValue.Real;
    }

    private static Optional<Double> number(CimValue v) {
        return switch (v) {
            case CimValue.Int i -> Optional.of((double) i.value());
            case CimValue.Real r -> Optional.of(r.value());
            case CimValue.Bool b -> Optional.of(b.value() ? 1.0 : 0.0);
            case CimValue.Text t -> {
                try {
                    yield Optional.of(Double.parseDouble(t.value().strip()));
                } catch (NumberFormatException e) {
                    yield Optional.empty();
                }
            }
            default -> Optional.empty();
        };
    }

    private static Optional<Instant> instant(CimValue v) {
        try {
            return switch (v) {
                case CimValue.DateTime d -> Optional.of(d.value());
                case CimValue.Text t -> Optional.of(Instant.parse(t.value()));
                default -> Optional.empty();
            };
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static Optional<Boolean> bool(CimValue v) {
        return switch (v) {
            case CimValue.Bool b -> Optional.of(b.value());
            case CimValue.Text t when t.value().equalsIgnoreCase("true") -> Optional.of(true);
            case CimValue.Text t when t.value().equalsIgnoreCase("false") -> Optional.of(false);
            default -> Optional.empty();
        };
    }

    private static Optional<ObjectPath> path(CimValue v) {
        try {
            return switch (v) {
                case CimValue.Ref r -> Optional.of(r.value());
                case CimValue.Text t -> Optional.of(ObjectPath.parse(t.value()));
                default -> Optional.empty();
            };
        } catch (InvalidParameterException e) {
            return Optional.empty();
        }
    }
}
