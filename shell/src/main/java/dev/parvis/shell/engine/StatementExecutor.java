package dev.parvis.shell.engine;

import dev.parvis.shell.command.Pipe;
import dev.parvis.shell.runtime.Conversions;
import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.ErrorRecord;
import dev.parvis.shell.runtime.Members;
import dev.parvis.shell.runtime.Operators;
import dev.parvis.shell.runtime.PSObject;
import dev.parvis.shell.runtime.RuntimeError;
import dev.parvis.shell.runtime.ScriptTerminatingError;
import dev.parvis.shell.runtime.ShellArray;
import dev.parvis.shell.runtime.ShellHashtable;
import dev.parvis.shell.runtime.TypeConversion;
import dev.parvis.shell.syntax.Expression;
import dev.parvis.shell.syntax.Statement;
import java.util.List;

/**
 * Executes statements. A statement-terminating error ends only its statement: it is reported and
 * the next statement runs, unless a try is active (then the try takes it) or the error action is
 * Stop (then it ends the script).
 */
final class StatementExecutor {
    private final Interpreter in;

    StatementExecutor(Interpreter in) {
        this.in = in;
    }

    void executeList(List<Statement> statements, Frame f, Pipe out) {
        for (Statement s : statements) {
            try {
                execute(s, f, out);
            } catch (ScriptTerminatingError e) {
                throw e;
            } catch (RuntimeError e) {
                e.at(s.span());
                if (in.session().insideTry()) {
                    throw e;
                }
                if (in.session().errorActionPreference(f).equals("Stop")) {
                    throw new ScriptTerminatingError(e.record());
                }
                in.session().reportError(e.record(), f);
                in.session().setLastSuccess(false);
            }
        }
    }

    void execute(Statement s, Frame f, Pipe out) {
        in.budget().step();
        switch (s) {
            case Statement.Pipeline p -> in.pipelines().run(p, f, out);
            case Statement.Assignment a -> {
                assignment(a, f);
                in.session().setLastSuccess(true);
            }
            case Statement.If i -> ifStatement(i, f, out);
            case Statement.Foreach fe -> new Loops(in).foreach(fe, f, out);
            case Statement.For fo -> new Loops(in).forLoop(fo, f, out);
            case Statement.While w -> new Loops(in).whileLoop(w, f, out);
            case Statement.Do d -> new Loops(in).doLoop(d, f, out);
            case Statement.FunctionDefinition fd -> f.scope().defineFunction(fd.name(), fd);
            case Statement.Try t -> new TryStatement(in).execute(t, f, out);
            case Statement.Break b -> throw ControlFlow.Break.INSTANCE;
            case Statement.Continue c -> throw ControlFlow.Continue.INSTANCE;
            case Statement.Return r -> {
                if (r.value() != null) {
                    execute(r.value(), f, out);
                }
                throw ControlFlow.Return.INSTANCE;
            }
            case Statement.Exit e -> throw new ControlFlow.Exit(e.code() == null ? 0 : Conversions.toInt(in.expressions().eval(e.code(), f)));
            case Statement.Throw t -> throw thrown(t, f);
        }
    }

    private void ifStatement(Statement.If i, Frame f, Pipe out) {
        for (Statement.Clause c : i.clauses()) {
            if (condition(c.condition(), f)) {
                executeList(c.body().statements(), f, out);
                return;
            }
        }
        if (i.elseBlock() != null) {
            executeList(i.elseBlock().statements(), f, out);
        }
    }

    boolean condition(Statement p, Frame f) {
        return Conversions.toBool(valueOf(p, f));
    }

    /**
     * The value of a statement: an expression's own value ({@code $a = @()} is an empty array,
     * {@code $a = @(1)} an array of one), an assignment's assigned value, else the statement's
     * collected output (nothing is $null, one object itself, more an array).
     */
    Object valueOf(Statement s, Frame f) {
        if (s instanceof Statement.Assignment a) {
            return assignment(a, f);
        }
        if (s instanceof Statement.Pipeline p && p.elements().size() == 1
                && p.elements().get(0) instanceof dev.parvis.shell.syntax.PipelineElement.ExpressionElement e) {
            Object v = in.expressions().eval(e.expression(), f);
            in.session().setLastSuccess(true);
            return v instanceof Nothing ? null : v;
        }
        CollectingPipe c = new CollectingPipe();
        execute(s, f, c);
        return c.value();
    }

    CollectingPipe collect(List<Statement> statements, Frame f) {
        CollectingPipe c = new CollectingPipe();
        executeList(statements, f, c);
        return c;
    }

    private Object assignment(Statement.Assignment a, Frame f) {
        Object value = valueOf(a.value(), f);
        if (value instanceof Nothing) {
            value = null;
        }
        if (a.operator() != null) {
            value = Operators.binary(a.operator(), in.expressions().eval(a.target(), f), value, in.memberContext(f));
        }
        assign(a.target(), value, f);
        return value;
    }

    /** Stores {@code value} into a variable, a property, an array element or a hashtable entry. */
    void assign(Expression target, Object value, Frame f) {
        switch (target) {
            case Expression.VariableExpression v -> in.variables().set(v.path(), value, f);
            case Expression.Cast c -> assign(c.operand(), TypeConversion.convert(value,
                    TypeConversion.canonicalName(c.type().name() + (c.type().array() ? "[]" : ""))), f);
            case Expression.Member m -> Members.set(in.expressions().eval(m.target(), f), memberName(m, f), value);
            case Expression.Index i -> setIndex(in.expressions().eval(i.target(), f), in.expressions().eval(i.index(), f), value);
            default -> throw new RuntimeError("The assignment expression is not valid.", ErrorCategory.INVALID_OPERATION, "InvalidLeftHandSide")
                    .at(target.span());
        }
    }

    private String memberName(Expression.Member m, Frame f) {
        Object n = m.name() instanceof Expression.Constant c ? c.value() : in.expressions().eval(m.name(), f);
        return Conversions.toShortString(n);
    }

    private static void setIndex(Object target, Object index, Object value) {
        switch (target) {
            case ShellHashtable h -> h.put(index, value);
            case ShellArray a -> {
                int i = Conversions.toInt(index);
                int at = i < 0 ? a.size() + i : i;
                if (at < 0 || at >= a.size()) {
                    throw new RuntimeError("Index was outside the bounds of the array.", ErrorCategory.INVALID_OPERATION, "IndexOutOfRange");
                }
                a.set(at, value);
            }
            case PSObject o -> o.set(Conversions.toShortString(index), value);
            case null -> throw new RuntimeError("Cannot index into a null array.", ErrorCategory.INVALID_OPERATION, "NullArray");
            default -> throw new RuntimeError("Unable to index into an object of type " + dev.parvis.shell.runtime.TypeNames.fullName(target) + ".",
                    ErrorCategory.INVALID_OPERATION, "CannotIndex");
        }
    }

    private ScriptTerminatingError thrown(Statement.Throw t, Frame f) {
        Object v = t.value() == null ? null : valueOf(t.value(), f);
        if (v == null && f.scope().get("_") instanceof ErrorRecord current) {
            return new ScriptTerminatingError(current);
        }
        if (v instanceof ErrorRecord r) {
            return new ScriptTerminatingError(r);
        }
        String text = v == null ? "" : Conversions.toDisplayString(v);
        // PowerShell's word for a throw with nothing to say ('throw', 'throw $null', 'throw ""'): an error always has a message
        String message = text.isBlank() ? "ScriptHalted" : text;
        return new ScriptTerminatingError(new ErrorRecord(message, "RuntimeException", ErrorCategory.OPERATION_STOPPED,
                message.length() > 80 ? "ScriptThrow" : message, null, v, t.span()));
    }
}
