package dev.parvis.shell.syntax;

import dev.parvis.shell.grammar.ShellParser;
import dev.parvis.shell.grammar.ShellParser.*;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;

/**
 * Builds the AST of scripts, statements and commands from ANTLR's parse tree (expressions are
 * {@link ExpressionBuilder}'s part), checking what the grammar leaves open: assignment targets,
 * try without catch or finally, repeated named blocks, constant attribute arguments.
 */
final class AstBuilder {
    private final SourceText source;
    private final ExpressionBuilder expressions;

    AstBuilder(SourceText source) {
        this.source = source;
        this.expressions = new ExpressionBuilder(this);
    }

    ScriptBlockAst script(ScriptContext ctx) {
        return body(ctx.scriptBlockBody(), ctx);
    }

    SourceSpan span(ParserRuleContext ctx) {
        Token start = ctx.getStart();
        Token stop = ctx.getStop() != null && ctx.getStop().getStopIndex() >= start.getStartIndex() ? ctx.getStop() : start;
        return new SourceSpan(source, Math.max(0, start.getStartIndex()), stop.getStopIndex() + 1, Math.max(1, start.getLine()),
                start.getCharPositionInLine() + 1);
    }

    SourceSpan span(Token t) {
        return ScriptParser.spanOf(source, t);
    }

    SourceText source() {
        return source;
    }

    ParseException error(String message, SourceSpan at) {
        return new ParseException(message, at, false);
    }

    // ------------------------------------------------------------------ script blocks and parameters

    ScriptBlockAst body(ScriptBlockBodyContext ctx, ParserRuleContext whole) {
        List<ParameterAst> params = ctx.paramBlock() == null ? List.of() : parameters(ctx.paramBlock().parameterList());
        if (ctx.namedBlock().isEmpty()) {
            return new ScriptBlockAst(span(whole), params, ctx.paramBlock() != null, List.of(), List.of(), statements(ctx.statementList()));
        }
        List<Statement> begin = null;
        List<Statement> process = null;
        List<Statement> end = null;
        for (NamedBlockContext nb : ctx.namedBlock()) {
            List<Statement> stmts = statements(nb.block().statementList());
            switch (nb.getStart().getType()) {
                case ShellParser.BEGIN -> begin = once(begin, stmts, "begin", nb);
                case ShellParser.PROCESS -> process = once(process, stmts, "process", nb);
                default -> end = once(end, stmts, "end", nb);
            }
        }
        return new ScriptBlockAst(span(whole), params, ctx.paramBlock() != null, orEmpty(begin), orEmpty(process), orEmpty(end));
    }

    private List<Statement> once(List<Statement> existing, List<Statement> stmts, String name, NamedBlockContext at) {
        if (existing != null) {
            throw error("The script block has more than one '" + name + "' block.", span(at));
        }
        return stmts;
    }

    private static List<Statement> orEmpty(List<Statement> l) {
        return l == null ? List.of() : l;
    }

    List<ParameterAst> parameters(ParameterListContext ctx) {
        if (ctx == null) {
            return List.of();
        }
        List<ParameterAst> out = new ArrayList<>();
        for (ParameterContext p : ctx.parameter()) {
            ParameterAst param = new ParameterAttributes(this, expressions).parameter(p);
            if (out.stream().anyMatch(o -> o.name().equalsIgnoreCase(param.name()))) {
                throw error("Duplicate parameter $" + param.name() + ".", span(p));
            }
            out.add(param);
        }
        return out;
    }

    // ------------------------------------------------------------------ statements

    List<Statement> statements(StatementListContext ctx) {
        List<Statement> out = new ArrayList<>();
        if (ctx != null) {
            for (StatementContext s : ctx.statement()) {
                out.add(statement(s));
            }
        }
        return out;
    }

    Statement.Block block(BlockContext ctx) {
        return new Statement.Block(span(ctx), statements(ctx.statementList()));
    }

    Statement statement(StatementContext ctx) {
        if (ctx.pipeline() != null) {
            return pipeline(ctx.pipeline());
        }
        if (ctx.ifStatement() != null) {
            return ifStatement(ctx.ifStatement());
        }
        if (ctx.flowStatement() != null) {
            return flow(ctx.flowStatement());
        }
        return new LoopsAndBlocks(this).statement(ctx);
    }

    /** A pipeline, or an assignment when the leading expression is followed by '=' or '+=' etc. */
    Statement pipeline(PipelineContext ctx) {
        if (ctx.assignmentTail() != null) {
            if (!ctx.command().isEmpty()) {
                throw error("An assignment cannot be piped on.", span(ctx.command(0)));
            }
            return assignment(ctx, ctx.expression(), ctx.assignmentTail());
        }
        List<PipelineElement> elements = new ArrayList<>();
        if (ctx.expression() != null) {
            Expression e = expressions.expression(ctx.expression());
            elements.add(new PipelineElement.ExpressionElement(e.span(), e));
        }
        for (CommandContext c : ctx.command()) {
            elements.add(command(c));
        }
        return new Statement.Pipeline(span(ctx), elements);
    }

    private Statement assignment(PipelineContext whole, ExpressionContext left, AssignmentTailContext ctx) {
        Expression target = expressions.expression(left);
        requireAssignable(target);
        BinaryOperator op = null;
        if (ctx.ASSIGN_OP() != null) {
            op = BinaryOperator.of(switch (ctx.ASSIGN_OP().getText().charAt(0)) {
                case '+' -> BinaryOperator.Kind.ADD;
                case '-' -> BinaryOperator.Kind.SUBTRACT;
                case '*' -> BinaryOperator.Kind.MULTIPLY;
                case '/' -> BinaryOperator.Kind.DIVIDE;
                default -> BinaryOperator.Kind.MODULO;
            });
        }
        return new Statement.Assignment(span(whole), target, op, statement(ctx.statement()));
    }

    void requireAssignable(Expression target) {
        boolean ok = switch (target) {
            case Expression.VariableExpression v -> true;
            case Expression.Member m -> !m.isStatic();
            case Expression.Index i -> true;
            case Expression.Cast c -> c.operand() instanceof Expression.VariableExpression;
            default -> false;
        };
        if (!ok) {
            throw error("The assignment expression is not valid: the left side must be a variable, a property or an array element.",
                    target.span());
        }
    }

    private Statement ifStatement(IfStatementContext ctx) {
        List<Statement.Clause> clauses = new ArrayList<>();
        clauses.add(new Statement.Clause(pipeline(ctx.condition().pipeline()), block(ctx.block())));
        for (ElseIfClauseContext e : ctx.elseIfClause()) {
            clauses.add(new Statement.Clause(pipeline(e.condition().pipeline()), block(e.block())));
        }
        Statement.Block otherwise = ctx.elseClause() == null ? null : block(ctx.elseClause().block());
        return new Statement.If(span(ctx), clauses, otherwise);
    }

    private Statement flow(FlowStatementContext ctx) {
        SourceSpan at = span(ctx);
        return switch (ctx) {
            case BreakStatementContext b -> new Statement.Break(at);
            case ContinueStatementContext c -> new Statement.Continue(at);
            case ReturnStatementContext r -> new Statement.Return(at, r.pipeline() == null ? null : pipeline(r.pipeline()));
            case ExitStatementContext e -> new Statement.Exit(at, e.expression() == null ? null : expressions.expression(e.expression()));
            case ThrowStatementContext t -> new Statement.Throw(at, t.pipeline() == null ? null : pipeline(t.pipeline()));
            default -> throw error("Unknown statement.", at);
        };
    }

    ExpressionBuilder expressions() {
        return expressions;
    }

    // ------------------------------------------------------------------ commands

    private PipelineElement.Command command(CommandContext ctx) {
        List<CommandElementContext> raw;
        Expression name;
        boolean invoked = false;
        boolean dot = false;
        if (ctx instanceof NamedCommandContext n) {
            name = new Expression.Constant(span(n.COMMAND_NAME().getSymbol()), n.COMMAND_NAME().getText(), true);
            raw = n.commandElement();
        } else {
            InvokedCommandContext i = (InvokedCommandContext) ctx;
            invoked = true;
            dot = i.DOT_SOURCE() != null;
            CommandTargetContext t = i.commandTarget();
            name = t.ARG_WORD() != null
                    ? new Expression.Constant(span(t.ARG_WORD().getSymbol()), t.ARG_WORD().getText(), true)
                    : expressions.primary(t.primaryExpression());
            raw = i.commandElement();
        }
        return new PipelineElement.Command(span(ctx), name, invoked, dot, commandElements(raw));
    }

    private List<PipelineElement.CommandElement> commandElements(List<CommandElementContext> raw) {
        List<PipelineElement.CommandElement> out = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            CommandElementContext e = raw.get(i);
            if (e.PARAMETER() == null) {
                out.add(new PipelineElement.Argument(span(e), argument(e.commandArgument())));
                continue;
            }
            String text = e.PARAMETER().getText();
            if (!text.endsWith(":")) {
                out.add(new PipelineElement.Parameter(span(e), text.substring(1), null));
                continue;
            }
            if (i + 1 >= raw.size() || raw.get(i + 1).commandArgument() == null) {
                throw error("Missing an argument for parameter '" + text.substring(1, text.length() - 1) + "'.", span(e));
            }
            CommandElementContext arg = raw.get(++i);
            out.add(new PipelineElement.Parameter(span(e), text.substring(1, text.length() - 1), argument(arg.commandArgument())));
        }
        return out;
    }

    private Expression argument(CommandArgumentContext ctx) {
        List<Expression> values = new ArrayList<>();
        for (ArgumentValueContext v : ctx.argumentValue()) {
            ArgumentHeadContext head = v.argumentHead();
            if (!v.argumentPart().isEmpty()) {
                values.add(new CompoundArgument(this, expressions).of(v));
            } else {
                values.add(head.ARG_WORD() != null
                        ? new Expression.Constant(span(v), head.ARG_WORD().getText(), true)
                        : expressions.postfix(head.postfixExpression()));
            }
        }
        return values.size() == 1 ? values.get(0) : new Expression.ArrayLiteral(span(ctx), values);
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
