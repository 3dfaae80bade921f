package dev.parvis.shell.engine;

import dev.parvis.shell.command.Pipe;
import dev.parvis.shell.runtime.ScriptBlock;
import dev.parvis.shell.runtime.ShellArray;
import dev.parvis.shell.syntax.ScriptBlockAst;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs script blocks outside a pipeline: in the caller's scope for ForEach-Object and Where-Object, in a new one for Invoke(). */
final class ScriptInvoker {
    private final Interpreter in;

    ScriptInvoker(Interpreter in) {
        this.in = in;
    }

    /** Runs {@code block} in {@code frame}'s own scope with $_ set (restored afterwards), output to {@code out}. */
    void runInCallerScope(ScriptBlock block, Frame frame, Object dollarUnder, List<?> args, Pipe out) {
        ScriptBlockAst ast = block.ast();
        Object savedItem = frame.scope().get("_");
        Object savedArgs = frame.scope().get("args");
        in.budget().enterCall();
        try {
            frame.scope().set("_", dollarUnder);
            frame.scope().set("args", new ShellArray(args));
            runBlocks(ast, frame, out);
        } finally {
            in.budget().exitCall();
            frame.scope().set("_", savedItem);
            frame.scope().set("args", savedArgs);
        }
    }

    /** {@code $block.Invoke(args)}: a new scope, arguments bound to the block's parameters, output collected. */
    List<Object> invokeNewScope(ScriptBlock block, Frame frame, Object dollarUnder, List<?> args) {
        List<InvocationArgument> bound = new ArrayList<>();
        for (Object a : args) {
            bound.add(InvocationArgument.positional(a, block.ast().span()));
        }
        CollectingPipe out = new CollectingPipe();
        Map<String, Object> presets = new java.util.HashMap<>();
        presets.put("_", dollarUnder);
        ScriptStage stage = new ScriptStage(in, frame, block.ast(), bound, false, false, presets);
        new PipelineRun(List.of(stage), out, in.budget()).run();
        return out.items();
    }

    private void runBlocks(ScriptBlockAst ast, Frame frame, Pipe out) {
        try {
            in.statements().executeList(ast.begin(), frame, out);
            in.statements().executeList(ast.process(), frame, out);
            in.statements().executeList(ast.end(), frame, out);
        } catch (ControlFlow.Return r) {
            // return ends the block
        }
    }
}
