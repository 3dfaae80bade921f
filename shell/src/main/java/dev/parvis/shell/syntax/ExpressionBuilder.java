package dev.parvis.shell.syntax;

import dev.parvis.shell.grammar.ShellLexer;
import dev.parvis.shell.grammar.ShellParser.*;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.ParseTree;
import org.antlr.v4.runtime.tree.TerminalNode;

/** AST for expressions, strings and type names. */
final class ExpressionBuilder {
    private final AstBuilder b;

    ExpressionBuilder(AstBuilder b) {
        this.b = b;
    }

    Expression expression(ExpressionContext ctx) {
        return switch (ctx) {
            case UnaryContext u -> unary(u.unaryExpression());
            case ArrayLiteralContext a -> arrayLiteral(a);
            default -> binary(ctx);
        };
    }

    Expression argumentExpression(ArgumentExpressionContext ctx) {
        return ctx instanceof ArgUnaryContext u ? unary(u.unaryExpression()) : binary(ctx);
    }

    private Expression any(ParseTree t) {
        return t instanceof ExpressionContext e ? expression(e) : argumentExpression((ArgumentExpressionContext) t);
    }

    /**
     * {@code a, b, c} parses left-nested; one flat array unless a part was parenthesized. The left
     * spine is walked in a loop: a script's array literal may have hundreds of thousands of elements,
     * too many for one recursion (or one copy of the elements) per comma.
     */
    private Expression arrayLiteral(ArrayLiteralContext ctx) {
        List<ExpressionContext> rights = new ArrayList<>();
        ExpressionContext spine = ctx;
        while (spine instanceof ArrayLiteralContext a) {
            rights.add(a.expression(1));
            spine = a.expression(0);
        }
        List<Expression> elements = new ArrayList<>(rights.size() + 1);
        elements.add(expression(spine));
        for (int i = rights.size() - 1; i >= 0; i--) {
            elements.add(expression(rights.get(i)));
        }
        return new Expression.ArrayLiteral(b.span(ctx), elements);
    }

    private Expression binary(ParserRuleContext ctx) {
        Expression left = any(ctx.getChild(0));
        Expression right = any(ctx.getChild(ctx.getChildCount() - 1));
        Token op = ((TerminalNode) ctx.getChild(1)).getSymbol();
        SourceSpan at = b.span(ctx);
        if (op.getType() == ShellLexer.DOTDOT) {
            return new Expression.Range(at, left, right);
        }
        return new Expression.Binary(at, binaryOperator(op), left, right);
    }

    private BinaryOperator binaryOperator(Token op) {
        return switch (op.getType()) {
            case ShellLexer.PLUS -> BinaryOperator.of(BinaryOperator.Kind.ADD);
            case ShellLexer.MINUS -> BinaryOperator.of(BinaryOperator.Kind.SUBTRACT);
            case ShellLexer.STAR -> BinaryOperator.of(BinaryOperator.Kind.MULTIPLY);
            case ShellLexer.SLASH -> BinaryOperator.of(BinaryOperator.Kind.DIVIDE);
            case ShellLexer.PERCENT -> BinaryOperator.of(BinaryOperator.Kind.MODULO);
            default -> {
                BinaryOperator o = BinaryOperator.fromDashName(op.getText().substring(1));
                if (o == null) {
                    throw b.error("Unknown operator '" + op.getText() + "'.", b.span(op));
                }
                yield o;
            }
        };
    }

    Expression unary(UnaryExpressionContext ctx) {
        SourceSpan at = b.span(ctx);
        return switch (ctx) {
            case PrefixOperatorContext p -> new Expression.Unary(at, unaryOperator(p.op), unary(p.unaryExpression()));
            case UnaryCommaContext c -> new Expression.Unary(at, UnaryOperator.COMMA, unary(c.unaryExpression()));
            case PreIncrementContext p -> increment(at, unary(p.unaryExpression()), p.op.getType() == ShellLexer.INC ? 1 : -1, true);
            case CastContext c -> new Expression.Cast(at, typeName(c.typeLiteral()), unary(c.unaryExpression()));
            case PlainPostfixContext p -> postfix(p.postfixExpression());
            default -> throw b.error("Unknown expression.", at);
        };
    }

    private Expression increment(SourceSpan at, Expression target, int delta, boolean prefix) {
        b.requireAssignable(target);
        return new Expression.Increment(at, target, delta, prefix);
    }

    private UnaryOperator unaryOperator(Token op) {
        return switch (op.getType()) {
            case ShellLexer.NOT_OP, ShellLexer.EXCLAIM -> UnaryOperator.NOT;
            case ShellLexer.MINUS -> UnaryOperator.NEGATE;
            case ShellLexer.PLUS -> UnaryOperator.PLUS;
            case ShellLexer.BNOT_OP -> UnaryOperator.BNOT;
            default -> switch (AstBuilder.lower(op.getText())) {
                case "-join" -> UnaryOperator.JOIN;
                case "-split" -> UnaryOperator.SPLIT;
                default -> throw b.error("'" + op.getText() + "' cannot be used as a unary operator.", b.span(op));
            };
        };
    }

    Expression postfix(PostfixExpressionContext ctx) {
        Expression e = primary(ctx.primaryExpression());
        for (PostfixOperatorContext op : ctx.postfixOperator()) {
            SourceSpan at = new SourceSpan(b.source(), e.span().start(), b.span(op).end(), e.span().line(), e.span().column());
            e = switch (op) {
                case MemberAccessContext m -> member(at, e, memberName(m.memberName()), false, m.invocation());
                case ArgumentMemberAccessContext m -> member(at, e,
                        new Expression.Constant(b.span(m.MEMBER().getSymbol()), m.MEMBER().getText().substring(1), true), false, m.invocation());
                case StaticMemberAccessContext m -> member(at, e, memberName(m.memberName()), true, m.invocation());
                case IndexContext i -> new Expression.Index(at, e, expression(i.expression()));
                default -> throw b.error("Unknown member access.", at);
            };
        }
        if (ctx.INC() != null || ctx.DEC() != null) {
            return increment(b.span(ctx), e, ctx.INC() != null ? 1 : -1, false);
        }
        return e;
    }

    private Expression member(SourceSpan at, Expression target, Expression name, boolean isStatic, InvocationContext call) {
        if (call == null) {
            return new Expression.Member(at, target, name, isStatic);
        }
        List<Expression> args = new ArrayList<>();
        for (ArgumentExpressionContext a : call.argumentExpression()) {
            args.add(argumentExpression(a));
        }
        return new Expression.InvokeMember(at, target, name, isStatic, args);
    }

    private Expression memberName(MemberNameContext ctx) {
        if (ctx.VARIABLE() != null) {
            return variable(ctx.VARIABLE().getSymbol());
        }
        if (ctx.stringLiteral() != null) {
            return string(ctx.stringLiteral());
        }
        return new Expression.Constant(b.span(ctx), ctx.getText(), true);
    }

    Expression primary(PrimaryExpressionContext ctx) {
        SourceSpan at = b.span(ctx);
        return switch (ctx) {
            case VariableContext v -> variable(v.VARIABLE().getSymbol());
            case NumberContext n -> number(n.NUMBER().getSymbol());
            case StringContext s -> string(s.stringLiteral());
            case ParenthesizedContext p -> new Expression.Paren(at, b.pipeline(p.pipeline()));
            case SubExpressionContext s -> new Expression.SubExpression(at, b.statements(s.statementList()));
            case ArrayExpressionContext a -> new Expression.ArrayExpression(at, b.statements(a.statementList()));
            case HashLiteralContext h -> hash(at, h);
            case ScriptBlockContext s -> new Expression.ScriptBlockExpression(at,
                    b.body(s.scriptBlockLiteral().scriptBlockBody(), s.scriptBlockLiteral()));
            case TypeExpressionContext t -> new Expression.TypeExpression(at, typeName(t.typeLiteral()));
            default -> throw b.error("Unknown expression.", at);
        };
    }

    private Expression variable(Token t) {
        return new Expression.VariableExpression(b.span(t), VariablePath.parse(t.getText().substring(1)));
    }

    private Expression number(Token t) {
        try {
            return new Expression.Constant(b.span(t), NumberLiterals.parse(t.getText()), false);
        } catch (NumberFormatException e) {
            String text = t.getText();
            String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
            throw b.error("'" + shown + "' is not a valid number" + (e instanceof NumberLiterals.Malformed ? ": " + e.getMessage() + "." : "."),
                    b.span(t));
        }
    }

    private Expression hash(SourceSpan at, HashLiteralContext h) {
        List<Expression.HashEntry> entries = new ArrayList<>();
        for (HashEntryContext e : h.hashEntry()) {
            HashKeyContext k = e.hashKey();
            Expression key;
            if (k.stringLiteral() != null) {
                key = string(k.stringLiteral());
            } else if (k.NUMBER() != null) {
                key = number(k.NUMBER().getSymbol());
            } else {
                key = new Expression.Constant(b.span(k), k.getText(), true);
            }
            entries.add(new Expression.HashEntry(key, b.statement(e.statement())));
        }
        return new Expression.HashLiteral(at, entries);
    }

    TypeName typeName(TypeLiteralContext ctx) {
        TypeNameContext t = ctx.typeName();
        StringBuilder name = new StringBuilder();
        for (TerminalNode id : t.IDENT()) {
            name.append(name.isEmpty() ? "" : ".").append(id.getText());
        }
        return new TypeName(name.toString(), t.LBRACKET() != null);
    }

    Expression string(StringLiteralContext ctx) {
        SourceSpan at = b.span(ctx);
        return switch (ctx) {
            case LiteralStringContext l -> new Expression.Constant(at, joined(l.SQ_TEXT()).replace("''", "'"), false);
            case LiteralHereStringContext l -> new Expression.Constant(at, joined(l.SQ_TEXT()), false);
            case EmptyHereStringContext l -> new Expression.Constant(at, "", false);
            case ExpandableStringContext e -> expandable(at, e.stringPart(), true);
            case ExpandableHereStringContext e -> expandable(at, e.stringPart(), false);
            default -> throw b.error("Unknown string.", at);
        };
    }

    /** A literal string's pieces (its lines and line breaks; a here-string's first and last line breaks are not among them). */
    private static String joined(List<TerminalNode> pieces) {
        StringBuilder text = new StringBuilder();
        for (TerminalNode piece : pieces) {
            text.append(piece.getText());
        }
        return text.toString();
    }

    private Expression expandable(SourceSpan at, List<StringPartContext> parts, boolean quoted) {
        List<Expression.StringPart> out = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (StringPartContext p : parts) {
            if (p.DQ_TEXT() != null) {
                text.append(p.DQ_TEXT().getText());
                continue;
            }
            if (!text.isEmpty()) {
                out.add(new Expression.StringPart.Text(StringEscapes.expand(text.toString(), quoted)));
                text.setLength(0);
            }
            if (p.DQ_VAR() != null) {
                out.add(new Expression.StringPart.Variable(VariablePath.parse(p.DQ_VAR().getText().substring(1)), b.span(p)));
            } else {
                out.add(new Expression.StringPart.SubExpression(b.statements(p.statementList()), b.span(p)));
            }
        }
        if (!text.isEmpty()) {
            out.add(new Expression.StringPart.Text(StringEscapes.expand(text.toString(), quoted)));
        }
        return new Expression.ExpandableString(at, out);
    }
}
