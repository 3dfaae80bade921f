package dev.parvis.shell.engine;

import dev.parvis.shell.command.CommandDefinition;
import dev.parvis.shell.command.Pipe;
import dev.parvis.shell.runtime.Conversions;
import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.RuntimeError;
import dev.parvis.shell.runtime.ScriptBlock;
import dev.parvis.shell.syntax.Expression;
import dev.parvis.shell.syntax.PipelineElement;
import dev.parvis.shell.syntax.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Runs pipeline statements: resolves and binds every command first (as PowerShell does, so a
 * binding mistake runs nothing), then streams objects through them.
 */
final class PipelineRunner {
    private final Interpreter in;

    PipelineRunner(Interpreter in) {
        this.in = in;
    }

    void run(Statement.Pipeline p, Frame f, Pipe out) {
        List<PipelineElement> elements = p.elements();
        if (elements.size() == 1 && elements.get(0) instanceof PipelineElement.ExpressionElement e) {
            if (e.expression() instanceof Expression.Increment) {
                in.expressions().eval(e.expression(), f);
            } else {
                writeExpression(e.expression(), f, out);
            }
            in.session().setLastSuccess(true);
            return;
        }
        PipelineRun run = new PipelineRun(out, in.budget());
        for (PipelineElement e : elements) {
            run.add(stage(e, f, run));
        }
        run.run();
        in.session().setLastSuccess(!run.failed());
    }

    private Stage stage(PipelineElement e, Frame f, PipelineRun run) {
        return switch (e) {
            case PipelineElement.ExpressionElement x -> new ExpressionStage(in, f, x.expression());
            case PipelineElement.Command c -> command(c, f, run);
        };
    }

    private Stage command(PipelineElement.Command c, Frame f, PipelineRun run) {
        String name;
        if (c.invoked()) {
            Object target = c.name() instanceof Expression.Constant k ? k.value() : in.expressions().eval(c.name(), f);
            if (target instanceof ScriptBlock block) {
                return new ScriptStage(in, f, block.ast(), arguments(c, f), c.dotSourced(), false, Map.of());
            }
            name = Conversions.toShortString(target);
        } else {
            name = c.literalName();
        }
        var function = f.scope().findFunction(name);
        if (function != null) {
            return new ScriptStage(in, f, function.body(), arguments(c, f), c.dotSourced(), false, Map.of());
        }
        CommandDefinition def = in.session().commands().find(name).orElse(null);
        if (def != null) {
            return cmdlet(def, c, f, run);
        }
        var script = in.session().scriptFiles().find(name, c.name().span());
        if (script != null) {
            return new ScriptStage(in, f, script.ast(), arguments(c, f), c.dotSourced(), true, script.presets());
        }
        throw in.session().commandNotFound(name, f).at(c.name().span());
    }

    private Stage cmdlet(CommandDefinition def, PipelineElement.Command c, Frame f, PipelineRun run) {
        CommandBinder.Result bound;
        try {
            bound = CommandBinder.bind(def.spec(), c.elements(), f);
        } catch (RuntimeError e) {
            throw e.inCommand(def.spec().name()).at(c.span());
        }
        EngineCommandContext ctx = new EngineCommandContext(f, def.spec(), c.span(), bound.common(), bound.parameters(), run, run.nextIndex());
        return new CmdletStage(def, bound.parameters(), ctx, c.span());
    }

    private List<InvocationArgument> arguments(PipelineElement.Command c, Frame f) {
        List<InvocationArgument> out = new ArrayList<>();
        for (PipelineElement.CommandElement e : c.elements()) {
            switch (e) {
                case PipelineElement.Parameter p -> out.add(new InvocationArgument(p.name(),
                        p.argument() == null ? null : in.expressions().eval(p.argument(), f), p.argument() != null, p.span()));
                case PipelineElement.Argument a -> out.add(InvocationArgument.positional(in.expressions().eval(a.value(), f), a.span()));
            }
        }
        return out;
    }

    /** Writes an expression's value to {@code out}, enumerating a collection (a range streams without being built). */
    void writeExpression(Expression e, Frame f, Pipe out) {
        if (e instanceof Expression.Range r) {
            Iterable<Object> range = LazyRange.of(in.expressions().eval(r.from(), f), in.expressions().eval(r.to(), f));
            for (Object o : range) {
                in.budget().step();
                out.write(o);
            }
            return;
        }
        writeEnumerated(in.expressions().eval(e, f), out);
    }

    void writeEnumerated(Object v, Pipe out) {
        if (v instanceof Nothing) {
            return;
        }
        if (v instanceof Collection<?> c) {
            for (Object o : new ArrayList<>(c)) {
                in.budget().step();
                out.write(o);
            }
            return;
        }
        out.write(v);
    }

    static RuntimeError notRecognized(String name, String suggestion) {
        return RuntimeError.of("CommandNotFoundException", "The term '" + name + "' is not recognized as the name of a cmdlet, function, "
                + "script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path "
                + "is correct and try again." + suggestion, ErrorCategory.OBJECT_NOT_FOUND, "CommandNotFoundException", name);
    }
}
