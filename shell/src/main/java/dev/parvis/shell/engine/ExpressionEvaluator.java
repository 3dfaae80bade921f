package dev.parvis.shell.engine;

import dev.parvis.shell.runtime.Arithmetic;
import dev.parvis.shell.runtime.Conversions;
import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.Members;
import dev.parvis.shell.runtime.Methods;
import dev.parvis.shell.runtime.Operators;
import dev.parvis.shell.runtime.RuntimeError;
import dev.parvis.shell.runtime.ScriptBlock;
import dev.parvis.shell.runtime.ShellArray;
import dev.parvis.shell.runtime.ShellHashtable;
import dev.parvis.shell.runtime.ShellType;
import dev.parvis.shell.runtime.StaticMembers;
import dev.parvis.shell.runtime.TypeConversion;
import dev.parvis.shell.syntax.BinaryOperator;
import dev.parvis.shell.syntax.Expression;
import dev.parvis.shell.syntax.Expression.StringPart;
import java.util.ArrayList;
import java.util.List;

/**
 * Evaluates expressions. Errors raised while evaluating a node get that node's position (the
 * innermost one wins), so an error record points at the mistake.
 */
final class ExpressionEvaluator {
    private final Interpreter in;

    ExpressionEvaluator(Interpreter in) {
        this.in = in;
    }

    Object eval(Expression e, Frame f) {
        try {
            return evalNode(e, f);
        } catch (RuntimeError err) {
            throw err.at(e.span());
        }
    }

    private Object evalNode(Expression e, Frame f) {
        return switch (e) {
            case Expression.Constant c -> c.value();
            case Expression.ExpandableString s -> expand(s, f);
            case Expression.VariableExpression v -> in.variables().get(v.path(), f);
            case Expression.ArrayLiteral a -> array(a, f);
            case Expression.Range r -> LazyRange.of(eval(r.from(), f), eval(r.to(), f)).materialize();
            case Expression.Binary b -> binary(b, f);
            case Expression.Unary u -> unary(u, f);
            case Expression.Increment i -> increment(i, f);
            case Expression.Cast c -> cast(c, f);
            case Expression.TypeExpression t -> new ShellType(TypeConversion.canonicalName(typeText(t.type())));
            case Expression.Member m -> member(m, f);
            case Expression.InvokeMember m -> invoke(m, f);
            case Expression.Index i -> index(eval(i.target(), f), eval(i.index(), f));
            case Expression.Paren p -> in.statements().valueOf(p.statement(), f);
            case Expression.SubExpression s -> in.statements().collect(s.statements(), f).value();
            case Expression.ArrayExpression a -> new ShellArray(in.statements().collect(a.statements(), f).items());
            case Expression.HashLiteral h -> hash(h, f);
            case Expression.ScriptBlockExpression s -> new ScriptBlock(s.body());
        };
    }

    private String expand(Expression.ExpandableString s, Frame f) {
        StringBuilder b = new StringBuilder();
        for (StringPart p : s.parts()) {
            switch (p) {
                case StringPart.Text t -> b.append(t.text());
                case StringPart.Variable v -> b.append(Conversions.toDisplayString(in.variables().get(v.path(), f)));
                case StringPart.SubExpression sub -> b.append(Conversions.toDisplayString(in.statements().collect(sub.statements(), f).value()));
            }
            dev.parvis.shell.runtime.Limits.checkString(b.length());
        }
        return b.toString();
    }

    private ShellArray array(Expression.ArrayLiteral a, Frame f) {
        ShellArray out = new ShellArray();
        for (Expression x : a.elements()) {
            out.add(eval(x, f));
        }
        return out;
    }

    private Object binary(Expression.Binary b, Frame f) {
        BinaryOperator.Kind k = b.operator().kind();
        Object left = eval(b.left(), f);
        if (k == BinaryOperator.Kind.AND) {
            return Conversions.toBool(left) && Conversions.toBool(eval(b.right(), f));
        }
        if (k == BinaryOperator.Kind.OR) {
            return Conversions.toBool(left) || Conversions.toBool(eval(b.right(), f));
        }
        Object right = eval(b.right(), f);
        return Operators.binary(b.operator(), left, right, in.memberContext(f));
    }

    private Object unary(Expression.Unary u, Frame f) {
        Object v = eval(u.operand(), f);
        return switch (u.operator()) {
            case NOT -> !Conversions.toBool(v);
            case NEGATE -> Arithmetic.negate(v);
            case PLUS -> Conversions.toNumber(v);
            case BNOT -> ~Conversions.toLong(v);
            case JOIN -> Operators.join(v, "");
            case SPLIT -> Operators.splitWhitespace(v);
            case COMMA -> ShellArray.of(v);
        };
    }

    private Object increment(Expression.Increment i, Frame f) {
        Object before = eval(i.target(), f);
        Object after = Arithmetic.add(before == null ? 0 : before, i.delta());
        in.statements().assign(i.target(), after, f);
        return i.prefix() ? after : before;
    }

    private Object cast(Expression.Cast c, Frame f) {
        Object v = eval(c.operand(), f);
        String type = TypeConversion.canonicalName(typeText(c.type()));
        if (type.equals("System.Void")) {
            return Nothing.VALUE;
        }
        if (!TypeConversion.isKnown(type) && !in.session().knowsType(type)) {
            throw new RuntimeError("Unable to find type " + c.type() + ".", ErrorCategory.INVALID_OPERATION, "TypeNotFound");
        }
        return TypeConversion.convert(v, type);
    }

    private static String typeText(dev.parvis.shell.syntax.TypeName t) {
        return t.name() + (t.array() ? "[]" : "");
    }

    private String memberName(Expression name, Frame f) {
        Object n = name instanceof Expression.Constant c ? c.value() : eval(name, f);
        return Conversions.toShortString(n);
    }

    private Object member(Expression.Member m, Frame f) {
        String name = memberName(m.name(), f);
        Object target = eval(m.target(), f);
        if (m.isStatic()) {
            return StaticMembers.get(staticType(target), name);
        }
        return Members.get(target, name);
    }

    private Object invoke(Expression.InvokeMember m, Frame f) {
        String name = memberName(m.name(), f);
        Object target = eval(m.target(), f);
        List<Object> args = new ArrayList<>();
        for (Expression a : m.arguments()) {
            args.add(eval(a, f));
        }
        in.budget().step();
        if (m.isStatic()) {
            return StaticMembers.invoke(staticType(target), name, args, in.memberContext(f));
        }
        return Methods.invoke(target, name, args, in.memberContext(f));
    }

    private static ShellType staticType(Object target) {
        if (target instanceof ShellType t) {
            return t;
        }
        throw new RuntimeError("Static members are reached through a type, as in [math]::Round.", ErrorCategory.INVALID_OPERATION, "NotAType");
    }

    /** {@code $a[i]}: arrays by position (negative counts from the end, out of range is $null), hashtables by key, strings by character. */
    static Object index(Object target, Object index) {
        if (target == null) {
            throw new RuntimeError("Cannot index into a null array.", ErrorCategory.INVALID_OPERATION, "NullArray");
        }
        if (target instanceof ShellHashtable h) {
            if (index instanceof List<?> keys) {
                ShellArray out = new ShellArray();
                keys.forEach(k -> out.add(h.get(k)));
                return out;
            }
            return h.get(index);
        }
        if (index instanceof List<?> many && (target instanceof List<?> || target instanceof String)) {
            ShellArray out = new ShellArray();
            for (Object i : many) {
                if (i instanceof List<?>) {
                    throw new RuntimeError("An array index must be a number or a list of numbers.", ErrorCategory.INVALID_ARGUMENT, "BadIndex");
                }
                Object v = index(target, i);
                if (v != null) {
                    out.add(v);
                }
            }
            return out;
        }
        if (target instanceof List<?> list) {
            int i = Conversions.toInt(index);
            int at = i < 0 ? list.size() + i : i;
            return at >= 0 && at < list.size() ? list.get(at) : null;
        }
        if (target instanceof String s) {
            int i = Conversions.toInt(index);
            int at = i < 0 ? s.length() + i : i;
            return at >= 0 && at < s.length() ? String.valueOf(s.charAt(at)) : null;
        }
        if (target instanceof dev.parvis.shell.runtime.PSObject o) {
            return o.get(Conversions.toShortString(index));
        }
        throw new RuntimeError("Unable to index into an object of type " + dev.parvis.shell.runtime.TypeNames.fullName(target) + ".",
                ErrorCategory.INVALID_OPERATION, "CannotIndex");
    }

    private ShellHashtable hash(Expression.HashLiteral h, Frame f) {
        ShellHashtable out = new ShellHashtable();
        for (Expression.HashEntry e : h.entries()) {
            Object key = eval(e.key(), f);
            if (out.containsKey(key)) {
                throw new RuntimeError("Duplicate keys '" + key + "' are not allowed in hash literals.",
                        ErrorCategory.INVALID_ARGUMENT, "DuplicateKeyInHashLiteral").at(e.key().span());
            }
            out.put(key, in.statements().valueOf(e.value(), f));
        }
        return out;
    }
}
