package dev.parvis.shell.syntax;

import dev.parvis.shell.grammar.NestingTooDeepException;
import dev.parvis.shell.grammar.ShellLexer;
import dev.parvis.shell.grammar.ShellParser;
import org.antlr.v4.runtime.BailErrorStrategy;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.atn.PredictionMode;
import org.antlr.v4.runtime.misc.ParseCancellationException;

/**
 * Text to AST: lexes the whole input first (so nesting limits apply before any recursion), parses
 * with ANTLR's fast SLL mode and falls back to full LL on a failure, then builds the AST. Every
 * failure is a {@link ParseException} pointing at the offending token. Every parse is given a
 * checkpoint, so Ctrl-C stops a slow parse too: in a session its cancel check, at the prompt's
 * "is the line complete?" check the reading thread's interrupt.
 */
public final class ScriptParser {
    /** Longest script accepted, in characters. */
    public static final int MAX_SCRIPT_CHARS = 1_000_000;

    private ScriptParser() {
    }

    /**
     * Parses {@code source}, running {@code checkpoint} every so many tokens while lexing and
     * parsing; whatever it throws (the session's "pipeline stopped") ends the parse.
     */
    public static ScriptBlockAst parse(SourceText source, Runnable checkpoint) {
        if (source.text().length() > MAX_SCRIPT_CHARS) {
            throw new ParseException("The script is longer than " + MAX_SCRIPT_CHARS + " characters.",
                    new SourceSpan(source, 0, 1, 1, 1), false);
        }
        ShellLexer lexer = new ShellLexer(CharStreams.fromString(source.text(), source.name()));
        lexer.removeErrorListeners();
        CommonTokenStream tokens = new CancellableTokenStream(lexer, checkpoint);
        try {
            tokens.fill();
        } catch (NestingTooDeepException e) {
            throw new ParseException("The script is nested too deeply: " + e.getMessage() + ".", spanOf(source, e.token()), false);
        }
        if (lexer.inBlockComment()) {
            // The parser never sees a comment, so it would accept the input; PowerShell asks for the rest.
            throw new ParseException("Incomplete input: the block comment is missing its terminator '#>'.",
                    endSpan(source, lexer.getLine(), lexer.getCharPositionInLine()), true);
        }
        try {
            ShellParser.ScriptContext tree = parseTree(tokens, source, lexer);
            return new AstBuilder(source).script(tree);
        } catch (StackOverflowError e) {
            throw new ParseException("The script is nested too deeply to parse.", new SourceSpan(source, 0, 1, 1, 1), false);
        }
    }

    private static ShellParser.ScriptContext parseTree(CommonTokenStream tokens, SourceText source, ShellLexer lexer) {
        ShellParser parser = new ShellParser(tokens);
        parser.removeErrorListeners();
        parser.getInterpreter().setPredictionMode(PredictionMode.SLL);
        parser.setErrorHandler(new BailErrorStrategy());
        try {
            return parser.script();
        } catch (ParseCancellationException e) {
            tokens.seek(0);
            parser.reset();
            parser.addErrorListener(new FirstErrorListener(source, lexer));
            parser.setErrorHandler(new DefaultErrorStrategy());
            parser.getInterpreter().setPredictionMode(PredictionMode.LL);
            return parser.script();
        }
    }

    static SourceSpan spanOf(SourceText source, Token t) {
        int start = Math.max(0, t.getStartIndex());
        int end = Math.max(start + 1, t.getStopIndex() + 1);
        return new SourceSpan(source, start, end, Math.max(1, t.getLine()), t.getCharPositionInLine() + 1);
    }

    /** Stops the parse at its first error with a message about the offending token. */
    private static final class FirstErrorListener extends BaseErrorListener {
        private final SourceText source;
        private final ShellLexer lexer;

        FirstErrorListener(SourceText source, ShellLexer lexer) {
            this.source = source;
            this.lexer = lexer;
        }

        @Override
        public void syntaxError(Recognizer<?, ?> recognizer, Object offendingSymbol, int line, int charPositionInLine,
                                String msg, RecognitionException e) {
            Token t = (Token) offendingSymbol;
            boolean incomplete = t.getType() == Token.EOF || lexer.hasOpenConstruct();
            SourceSpan span = t.getType() == Token.EOF ? endSpan(source, t.getLine(), t.getCharPositionInLine()) : spanOf(source, t);
            String message = t.getType() == Token.EOF && lexer.hasOpenConstruct()
                    ? "Incomplete input: a bracket, block or string is not closed."
                    : SyntaxErrorMessages.describe(t);
            throw new ParseException(message, span, incomplete);
        }
    }

    /** The last character of {@code source}, at the given line and column of its end. */
    private static SourceSpan endSpan(SourceText source, int line, int column) {
        int end = source.text().length();
        return new SourceSpan(source, Math.max(0, end - 1), end, Math.max(1, line), Math.max(1, column));
    }
}
