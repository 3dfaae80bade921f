package dev.parvis.shell.engine;

import dev.parvis.shell.command.Pipe;
import dev.parvis.shell.syntax.Expression;

/** An expression as the first element of a pipeline ({@code 1..10 | ...}, {@code $vms | ...}): its value, enumerated. */
final class ExpressionStage implements Stage {
    private final Interpreter in;
    private final Frame frame;
    private final Expression expression;

    ExpressionStage(Interpreter in, Frame frame, Expression expression) {
        this.in = in;
        this.frame = frame;
        this.expression = expression;
    }

    @Override
    public void begin(Pipe out) {
    }

    @Override
    public void process(Object input, Pipe out) {
        in.pipelines().writeExpression(expression, frame, out);
    }

    @Override
    public void end(Pipe out) {
    }
}
