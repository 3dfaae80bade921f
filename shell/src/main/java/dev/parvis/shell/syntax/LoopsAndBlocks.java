package dev.parvis.shell.syntax;

import dev.parvis.shell.grammar.ShellParser.*;
import java.util.ArrayList;
import java.util.List;

/** AST for loops, function definitions and try statements. */
final class LoopsAndBlocks {
    private final AstBuilder b;

    LoopsAndBlocks(AstBuilder b) {
        this.b = b;
    }

    Statement statement(StatementContext ctx) {
        if (ctx.foreachStatement() != null) {
            ForeachStatementContext f = ctx.foreachStatement();
            return new Statement.Foreach(b.span(f), VariablePath.parse(f.VARIABLE().getText().substring(1)),
                    b.pipeline(f.pipeline()), b.block(f.block()));
        }
        if (ctx.forStatement() != null) {
            ForStatementContext f = ctx.forStatement();
            return new Statement.For(b.span(f), part(f.forInit), part(f.forCondition), part(f.forStep), b.block(f.block()));
        }
        if (ctx.whileStatement() != null) {
            WhileStatementContext w = ctx.whileStatement();
            return new Statement.While(b.span(w), b.pipeline(w.condition().pipeline()), b.block(w.block()));
        }
        if (ctx.doStatement() != null) {
            DoStatementContext d = ctx.doStatement();
            return new Statement.Do(b.span(d), b.block(d.block()), d.UNTIL() != null, b.pipeline(d.condition().pipeline()));
        }
        if (ctx.functionDefinition() != null) {
            return function(ctx.functionDefinition());
        }
        return tryStatement(ctx.tryStatement());
    }

    private Statement part(ForPartContext ctx) {
        if (ctx == null) {
            return null;
        }
        return b.pipeline(ctx.pipeline());
    }

    private Statement function(FunctionDefinitionContext ctx) {
        ScriptBlockAst body = b.body(ctx.scriptBlockBody(), ctx);
        if (ctx.LPAREN() != null) {
            if (body.hasParamBlock()) {
                throw b.error("The function declares parameters both after its name and in a param block.", b.span(ctx));
            }
            body = new ScriptBlockAst(body.span(), b.parameters(ctx.parameterList()), true, body.begin(), body.process(), body.end());
        }
        boolean filter = ctx.FILTER() != null;
        return new Statement.FunctionDefinition(b.span(ctx), ctx.FUNCTION_NAME().getText(), filter, filter ? body.asFilter() : body);
    }

    private Statement tryStatement(TryStatementContext ctx) {
        if (ctx.catchClause().isEmpty() && ctx.finallyClause() == null) {
            throw b.error("The try statement is missing its catch or finally block.", b.span(ctx));
        }
        List<Statement.Catch> catches = new ArrayList<>();
        for (CatchClauseContext c : ctx.catchClause()) {
            List<TypeName> types = new ArrayList<>();
            for (TypeLiteralContext t : c.typeLiteral()) {
                types.add(b.expressions().typeName(t));
            }
            catches.add(new Statement.Catch(types, b.block(c.block())));
        }
        Statement.Block fin = ctx.finallyClause() == null ? null : b.block(ctx.finallyClause().block());
        return new Statement.Try(b.span(ctx), b.block(ctx.block()), catches, fin);
    }
}
