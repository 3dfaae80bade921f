package dev.parvis.shell.engine;

import dev.parvis.shell.runtime.MemberContext;
import dev.parvis.shell.runtime.ScriptBlock;
import dev.parvis.shell.runtime.ShellHashtable;
import dev.parvis.shell.syntax.SourceText;
import java.util.List;

/** The tree-walking interpreter's parts, wired together for one session. */
final class Interpreter {
    private final ShellSession session;
    private final StatementExecutor statements = new StatementExecutor(this);
    private final ExpressionEvaluator expressions = new ExpressionEvaluator(this);
    private final PipelineRunner pipelines = new PipelineRunner(this);
    private final ScriptInvoker scripts = new ScriptInvoker(this);
    private final Variables variables;

    Interpreter(ShellSession session) {
        this.session = session;
        this.variables = new Variables(session);
    }

    ShellSession session() {
        return session;
    }

    StatementExecutor statements() {
        return statements;
    }

    ExpressionEvaluator expressions() {
        return expressions;
    }

    PipelineRunner pipelines() {
        return pipelines;
    }

    ScriptInvoker scripts() {
        return scripts;
    }

    Variables variables() {
        return variables;
    }

    ExecutionBudget budget() {
        return session.budget();
    }

    /** What operators and member calls may ask of the running script, in {@code f}. */
    MemberContext memberContext(Frame f) {
        return new MemberContext() {
            @Override
            public void checkpoint() {
                budget().step();
            }

            @Override
            public void setMatches(ShellHashtable matches) {
                f.scope().set("Matches", matches);
            }

            @Override
            public List<Object> invoke(ScriptBlock block, Object dollarUnder, List<?> args) {
                return scripts.invokeNewScope(block, f, dollarUnder, args);
            }

            @Override
            public ScriptBlock parse(String text) {
                try {
                    return new ScriptBlock(session.parse(new SourceText("", text)));
                } catch (dev.parvis.shell.syntax.ParseException e) {
                    throw ShellSession.parseError(e);
                }
            }
        };
    }
}
