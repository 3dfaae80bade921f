package dev.parvis.shell.engine;

import dev.parvis.shell.command.Pipe;
import dev.parvis.shell.runtime.ShellArray;
import dev.parvis.shell.syntax.ScriptBlockAst;
import dev.parvis.shell.syntax.Statement;
import java.util.List;
import java.util.Map;

/**
 * A function, script file or script block in a pipeline: a new scope (unless dot-sourced), its
 * parameters bound, then its begin block, its process block per input object ($_ set) and its end
 * block ($input holds the input when there is no process block). Output streams straight on.
 */
final class ScriptStage implements Stage {
    private final Interpreter in;
    private final Frame caller;
    private final ScriptBlockAst body;
    private final List<InvocationArgument> args;
    private final boolean dotSourced;
    private final boolean scriptScope;
    private final Map<String, Object> presets;
    private final ShellArray input = new ShellArray();
    private Frame frame;
    private ScriptParameters parameters;
    private boolean entered;

    ScriptStage(Interpreter in, Frame caller, ScriptBlockAst body, List<InvocationArgument> args, boolean dotSourced,
                boolean scriptScope, Map<String, Object> presets) {
        this.in = in;
        this.caller = caller;
        this.body = body;
        this.args = args;
        this.dotSourced = dotSourced;
        this.scriptScope = scriptScope;
        this.presets = presets;
    }

    @Override
    public void begin(Pipe out) {
        in.budget().enterCall();
        entered = true;
        frame = dotSourced ? caller : caller.child(scriptScope);
        presets.forEach(frame.scope()::set);
        parameters = new ScriptParameters(body, frame);
        parameters.bind(args);
        run(body.begin(), out);
    }

    @Override
    public void process(Object item, Pipe out) {
        if (item == Pipe.NO_INPUT) {
            run(body.process(), out);
            return;
        }
        if (body.process().isEmpty()) {
            input.add(item);
            return;
        }
        frame.scope().set("_", item);
        parameters.bindPipeline(item);
        run(body.process(), out);
    }

    @Override
    public void end(Pipe out) {
        frame.scope().set("input", input);
        run(body.end(), out);
    }

    @Override
    public void close() {
        if (entered) {
            entered = false;
            in.budget().exitCall();
        }
    }

    private void run(List<Statement> statements, Pipe out) {
        if (statements.isEmpty()) {
            return;
        }
        try {
            in.statements().executeList(statements, frame, out);
        } catch (ControlFlow.Return r) {
            // return ends the block
        }
    }
}
