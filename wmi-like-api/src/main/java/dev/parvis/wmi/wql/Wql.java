package dev.parvis.wmi.wql;

import dev.parvis.wmi.cim.CimEvent;
import dev.parvis.wmi.cim.CimValue;
import dev.parvis.wmi.cim.InvalidParameterException;
import dev.parvis.wmi.cim.ObjectPath;
import dev.parvis.wmi.cim.WqlSyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;

/**
 * Parses WQL text into a {@link WqlQuery} with the generated ANTLR parser. The first syntax error
 * ends the parse with a {@link WqlSyntaxException} naming the offending token and its position.
 * Statements are at most {@value #MAX_LENGTH} characters and nest parentheses and NOTs at most
 * {@value #MAX_NESTING} deep, so no query can exhaust a server thread's stack.
 */
public final class Wql {
    public static final int MAX_LENGTH = 4096;
    public static final int MAX_NESTING = 32;
    /** WITHIN accepts 0.1 s to one hour. */
    public static final Duration MIN_WITHIN = Duration.ofMillis(100);
    public static final Duration MAX_WITHIN = Duration.ofHours(1);

    private Wql() {}

    public static WqlQuery parse(String text) {
        if (text == null || text.isBlank()) {
            throw new WqlSyntaxException("empty statement", "<EOF>", 1, 1);
        }
        if (text.length() > MAX_LENGTH) {
            throw new WqlSyntaxException("statement longer than " + MAX_LENGTH + " characters", text.substring(0, 16), 1, 1);
        }
        WqlLexer lexer = new WqlLexer(CharStreams.fromString(text));
        lexer.removeErrorListeners();
        lexer.addErrorListener(Thrower.INSTANCE);
        CommonTokenStream tokens = new CommonTokenStream(lexer);
        tokens.fill();
        checkNesting(tokens.getTokens());
        WqlParser parser = new WqlParser(tokens);
        parser.removeErrorListeners();
        parser.addErrorListener(Thrower.INSTANCE);
        WqlParser.StatementContext statement = parser.statement();
        if (statement.selectQuery() != null) {
            return select(statement.selectQuery());
        }
        if (statement.associatorsQuery() != null) {
            return associators(statement.associatorsQuery());
        }
        return references(statement.referencesQuery());
    }

    private static void checkNesting(List<Token> tokens) {
        int depth = 0;
        int nots = 0;
        for (Token t : tokens) {
            switch (t.getType()) {
                case WqlLexer.LPAREN -> depth++;
                case WqlLexer.RPAREN -> depth = Math.max(0, depth - 1);
                case WqlLexer.NOT -> nots++;
                default -> { }
            }
            if (depth + nots > MAX_NESTING) {
                throw new WqlSyntaxException("nested more than " + MAX_NESTING + " deep", t.getText(), t.getLine(),
                        t.getCharPositionInLine() + 1);
            }
        }
    }

    private static WqlQuery select(WqlParser.SelectQueryContext q) {
        String cls = q.className.getText();
        Optional<Expr> where = Optional.ofNullable(q.expression()).map(ExprBuilder::build);
        Optional<CimEvent.Kind> kind = CimEvent.Kind.of(cls);
        if (kind.isPresent()) {
            return event(q, kind.get(), where);
        }
        if (q.within != null) {
            throw syntax("WITHIN is only for event queries (__InstanceCreationEvent, __InstanceModificationEvent,"
                    + " __InstanceDeletionEvent)", q.within);
        }
        List<String> properties = new ArrayList<>();
        if (q.selectList() instanceof WqlParser.SelectPropertiesContext list) {
            for (WqlParser.PropertyContext p : list.property()) {
                if (p.DOT() != null) {
                    throw syntax("a SELECT list names properties of the class, not qualified names", p.start);
                }
                properties.add(p.getText());
            }
        }
        return new WqlQuery.Select(properties, cls, where);
    }

    private static WqlQuery event(WqlParser.SelectQueryContext q, CimEvent.Kind kind, Optional<Expr> where) {
        if (!(q.selectList() instanceof WqlParser.SelectAllContext)) {
            throw syntax("an event query selects *", q.selectList().start);
        }
        if (q.within == null) {
            throw syntax("an intrinsic event query needs WITHIN <seconds>", q.className.stop);
        }
        double seconds = Double.parseDouble(q.within.getText());
        Duration within = Duration.ofNanos((long) (seconds * 1e9));
        if (within.compareTo(MIN_WITHIN) < 0 || within.compareTo(MAX_WITHIN) > 0) {
            throw syntax("WITHIN must be 0.1 to 3600 seconds", q.within);
        }
        Expr condition = where.orElseThrow(() -> syntax("an event query needs WHERE TargetInstance ISA '<class>'", q.className.stop));
        String target = isaTarget(condition).orElseThrow(() -> new InvalidParameterException(
                "an event query needs TargetInstance ISA '<class>' (alone or joined with AND)"));
        return new WqlQuery.EventSelect(kind, within, target, condition);
    }

    /** The class of a TargetInstance ISA condition that every match must satisfy (a top-level AND term). */
    private static Optional<String> isaTarget(Expr e) {
        return switch (e) {
            case Expr.Isa isa when isa.operand().qualifier() == null && isa.operand().name().equalsIgnoreCase("TargetInstance") ->
                    Optional.of(isa.className());
            case Expr.And and -> isaTarget(and.left()).or(() -> isaTarget(and.right()));
            default -> Optional.empty();
        };
    }

    private static WqlQuery associators(WqlParser.AssociatorsQueryContext q) {
        ObjectPath source = path(q.OBJECT_PATH().getSymbol());
        Filters f = filters(q.assocFilter());
        return new WqlQuery.Associators(source, f.assocClass, f.resultClass, f.role, f.resultRole);
    }

    private static WqlQuery references(WqlParser.ReferencesQueryContext q) {
        ObjectPath source = path(q.OBJECT_PATH().getSymbol());
        Filters f = filters(q.assocFilter());
        if (f.assocClass.isPresent() || f.resultRole.isPresent()) {
            throw new InvalidParameterException("REFERENCES OF takes ResultClass and Role only");
        }
        return new WqlQuery.References(source, f.resultClass, f.role);
    }

    private static final class Filters {
        Optional<String> assocClass = Optional.empty();
        Optional<String> resultClass = Optional.empty();
        Optional<String> role = Optional.empty();
        Optional<String> resultRole = Optional.empty();
    }

    private static Filters filters(List<WqlParser.AssocFilterContext> list) {
        Filters f = new Filters();
        for (WqlParser.AssocFilterContext c : list) {
            switch (c) {
                case WqlParser.AssocClassFilterContext a -> f.assocClass = Optional.of(a.identifier().getText());
                case WqlParser.ResultClassFilterContext r -> f.resultClass = Optional.of(r.identifier().getText());
                case WqlParser.RoleFilterContext r -> f.role = Optional.of(r.identifier().getText());
                case WqlParser.ResultRoleFilterContext r -> f.resultRole = Optional.of(r.identifier().getText());
                default -> { } // ClassDefsOnly / KeysOnly: instances are returned whole
            }
        }
        return f;
    }

    private static ObjectPath path(Token token) {
        try {
            return ObjectPath.parse(token.getText());
        } catch (InvalidParameterException e) {
            throw syntax(e.getMessage(), token);
        }
    }

    static WqlSyntaxException syntax(String message, Token t) {
        return new WqlSyntaxException(message, t.getType() == Token.EOF ? "<EOF>" : t.getText(), t.getLine(),
                t.getCharPositionInLine() + 1);
    }

    /** Turns the parse tree of a condition into {@link Expr} records. */
    private static final class ExprBuilder {
        static Expr build(WqlParser.ExpressionContext e) {
            return switch (e) {
                case WqlParser.NotExpressionContext n -> new Expr.Not(build(n.expression()));
                case WqlParser.AndExpressionContext a -> new Expr.And(build(a.expression(0)), build(a.expression(1)));
                case WqlParser.OrExpressionContext o -> new Expr.Or(build(o.expression(0)), build(o.expression(1)));
                case WqlParser.ParenExpressionContext p -> build(p.expression());
                case WqlParser.PredicateExpressionContext p -> predicate(p.predicate());
                default -> throw new IllegalStateException("unknown expression " + e.getClass());
            };
        }

        private static Expr predicate(WqlParser.PredicateContext p) {
            return switch (p) {
                case WqlParser.ComparisonPredicateContext c -> new Expr.Compare(operand(c.left), comparator(c.comparator()),
                        operand(c.right));
                case WqlParser.LikePredicateContext l -> new Expr.Like(operand(l.operand()), unquote(l.STRING().getText()),
                        l.NOT() != null);
                case WqlParser.IsNullPredicateContext i -> new Expr.IsNull(operand(i.operand()), i.NOT() != null);
                case WqlParser.IsaPredicateContext i -> {
                    if (!(operand(i.operand()) instanceof Expr.Operand.Property prop)) {
                        throw syntax("ISA needs an embedded-object property on its left", i.operand().start);
                    }
                    yield new Expr.Isa(prop, unquote(i.STRING().getText()));
                }
                default -> throw new IllegalStateException("unknown predicate " + p.getClass());
            };
        }

        private static Expr.Comparator comparator(WqlParser.ComparatorContext c) {
            return switch (c.start.getType()) {
                case WqlLexer.EQ -> Expr.Comparator.EQ;
                case WqlLexer.NE -> Expr.Comparator.NE;
                case WqlLexer.LT -> Expr.Comparator.LT;
                case WqlLexer.LE -> Expr.Comparator.LE;
                case WqlLexer.GT -> Expr.Comparator.GT;
                default -> Expr.Comparator.GE;
            };
        }

        private static Expr.Operand operand(WqlParser.OperandContext o) {
            return switch (o) {
                case WqlParser.PropertyOperandContext p -> {
                    List<WqlParser.IdentifierContext> ids = p.property().identifier();
                    yield ids.size() == 1 ? new Expr.Operand.Property(null, ids.get(0).getText())
                            : new Expr.Operand.Property(ids.get(0).getText(), ids.get(1).getText());
                }
                case WqlParser.LiteralOperandContext l -> new Expr.Operand.Literal(literal(l.literal()));
                default -> throw new IllegalStateException("unknown operand " + o.getClass());
            };
        }

        private static CimValue literal(WqlParser.LiteralContext l) {
            return switch (l) {
                case WqlParser.StringLiteralContext s -> new CimValue.Text(unquote(s.getText()));
                case WqlParser.NumberLiteralContext n -> n.getText().contains(".")
                        ? new CimValue.Real(Double.parseDouble(n.getText())) : integer(n);
                case WqlParser.TrueLiteralContext t -> new CimValue.Bool(true);
                case WqlParser.FalseLiteralContext f -> new CimValue.Bool(false);
                case WqlParser.NullLiteralContext n -> null;
                default -> throw new IllegalStateException("unknown literal " + l.getClass());
            };
        }

        private static CimValue integer(WqlParser.NumberLiteralContext n) {
            try {
                return new CimValue.Int(Long.parseLong(n.getText()));
            } catch (NumberFormatException e) {
                throw syntax("integer out of range", n.start);
            }
        }
    }

    /** The text between the quotes, backslash escapes resolved. */
    static String unquote(String quoted) {
        StringBuilder b = new StringBuilder(quoted.length());
        for (int i = 1; i < quoted.length() - 1; i++) {
            char c = quoted.charAt(i);
            if (c == '\\' && i + 1 < quoted.length() - 1) {
                c = quoted.charAt(++i);
            }
            b.append(c);
        }
        return b.toString();
    }

    /** Ends the parse at the first lexer or parser error. */
    private static final class Thrower extends BaseErrorListener {
        static final Thrower INSTANCE = new Thrower();

        @Override
        public void syntaxError(Recognizer<?, ?> recognizer, Object offendingSymbol, int line, int column, String msg,
                                RecognitionException e) {
            String token = offendingSymbol instanceof Token t ? (t.getType() == Token.EOF ? "<EOF>" : t.getText())
                    : lexerText(recognizer);
            throw new WqlSyntaxException(msg, token, line, column + 1);
        }

        private static String lexerText(Recognizer<?, ?> recognizer) {
            if (recognizer instanceof WqlLexer lexer) {
                int start = lexer._tokenStartCharIndex;
                int end = Math.min(lexer.getInputStream().size(), lexer.getInputStream().index() + 1);
                return lexer.getInputStream().getText(org.antlr.v4.runtime.misc.Interval.of(start, Math.max(start, end - 1)));
            }
            return "?";
        }
    }
}
