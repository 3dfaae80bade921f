package dev.parvis.shell.engine;

import dev.parvis.shell.command.Pipe;
import dev.parvis.shell.runtime.Conversions;
import dev.parvis.shell.syntax.Expression;
import dev.parvis.shell.syntax.PipelineElement;
import dev.parvis.shell.syntax.Statement;
import java.util.Collection;
import java.util.List;

/** foreach, for, while and do loops, with break and continue; every iteration is a budget step. */
final class Loops {
    private final Interpreter in;

    Loops(Interpreter in) {
        this.in = in;
    }

    void foreach(Statement.Foreach fe, Frame f, Pipe out) {
        for (Object item : source(fe.source(), f)) {
            in.budget().step();
            in.variables().set(fe.variable(), item, f);
            if (!body(fe.body(), f, out)) {
                break;
            }
        }
    }

    /** The items a foreach walks: a range streams; a single value is one item; a collection its elements. */
    private Iterable<?> source(Statement s, Frame f) {
        if (s instanceof Statement.Pipeline p && p.elements().size() == 1 && p.elements().get(0) instanceof PipelineElement.ExpressionElement e
                && e.expression() instanceof Expression.Range r) {
            return LazyRange.of(in.expressions().eval(r.from(), f), in.expressions().eval(r.to(), f));
        }
        Object v = in.statements().valueOf(s, f);
        if (v == null) {
            return List.of();
        }
        return v instanceof Collection<?> c ? c : java.util.Collections.singletonList(v);
    }

    void forLoop(Statement.For fo, Frame f, Pipe out) {
        if (fo.init() != null) {
            in.statements().valueOf(fo.init(), f);
        }
        while (fo.condition() == null || Conversions.toBool(in.statements().valueOf(fo.condition(), f))) {
            in.budget().step();
            if (!body(fo.body(), f, out)) {
                break;
            }
            if (fo.step() != null) {
                in.statements().valueOf(fo.step(), f);
            }
        }
    }

    void whileLoop(Statement.While w, Frame f, Pipe out) {
        while (in.statements().condition(w.condition(), f)) {
            in.budget().step();
            if (!body(w.body(), f, out)) {
                break;
            }
        }
    }

    void doLoop(Statement.Do d, Frame f, Pipe out) {
        do {
            in.budget().step();
            if (!body(d.body(), f, out)) {
                break;
            }
        } while (in.statements().condition(d.condition(), f) != d.until());
    }

    /** Runs one iteration; false when it ended with break. */
    private boolean body(Statement.Block block, Frame f, Pipe out) {
        try {
            in.statements().executeList(block.statements(), f, out);
            return true;
        } catch (ControlFlow.Break b) {
            return false;
        } catch (ControlFlow.Continue c) {
            return true;
        }
    }
}
