package dev.parvis.shell.syntax;

import dev.parvis.shell.grammar.ShellParser.ArgumentHeadContext;
import dev.parvis.shell.grammar.ShellParser.ArgumentPartContext;
import dev.parvis.shell.grammar.ShellParser.ArgumentValueContext;
import dev.parvis.shell.grammar.ShellParser.NumberContext;
import dev.parvis.shell.grammar.ShellParser.PostfixExpressionContext;
import dev.parvis.shell.grammar.ShellParser.StringContext;
import dev.parvis.shell.grammar.ShellParser.SubExpressionContext;
import dev.parvis.shell.grammar.ShellParser.VariableContext;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.misc.Interval;

/**
 * One argument made of touching parts ('a$a', 'a$($x)b', "a'$a'", '$a+2'; the lexer glued them):
 * an expandable string, as PowerShell makes such a token (about_Parsing). Bare words, numbers and
 * '-words' are their text, a single-quoted string its content, a double-quoted one its expansion,
 * a variable or '$(...)' its value; a member or an index after a variable is text, as it is in
 * an expandable string ('a$a.b' is "a" + $a + ".b").
 */
final class CompoundArgument {
    private final AstBuilder b;
    private final ExpressionBuilder expressions;
    private final List<Expression.StringPart> parts = new ArrayList<>();

    CompoundArgument(AstBuilder b, ExpressionBuilder expressions) {
        this.b = b;
        this.expressions = expressions;
    }

    Expression of(ArgumentValueContext ctx) {
        head(ctx.argumentHead());
        for (ArgumentPartContext p : ctx.argumentPart()) {
            if (p.PARAMETER() != null) {
                text(p.PARAMETER().getText());
            } else {
                head(p.argumentHead());
            }
        }
        return new Expression.ExpandableString(b.span(ctx), parts);
    }

    private void head(ArgumentHeadContext h) {
        if (h.ARG_WORD() != null) {
            text(h.ARG_WORD().getText());
        } else {
            postfix(h.postfixExpression());
        }
    }

    private void postfix(PostfixExpressionContext p) {
        SourceSpan at = b.span(p);
        switch (p.primaryExpression()) {
            case VariableContext v -> parts.add(new Expression.StringPart.Variable(VariablePath.parse(v.getText().substring(1)), at));
            case NumberContext n -> text(n.getText());
            case SubExpressionContext s -> parts.add(new Expression.StringPart.SubExpression(b.statements(s.statementList()), at));
            case StringContext s -> {
                Expression e = expressions.string(s.stringLiteral());
                if (e instanceof Expression.ExpandableString x) {
                    parts.addAll(x.parts());
                } else {
                    text(String.valueOf(((Expression.Constant) e).value()));
                }
            }
            default -> throw b.error("This cannot be part of an argument made of touching parts.", at);
        }
        int after = p.primaryExpression().getStop().getStopIndex() + 1;
        int end = p.getStop().getStopIndex();
        if (end >= after) {
            text(p.getStart().getInputStream().getText(Interval.of(after, end)));
        }
    }

    private void text(String s) {
        parts.add(new Expression.StringPart.Text(s));
    }
}
