package dev.parvis.shell.console;

import dev.parvis.shell.grammar.NestingTooDeepException;
import dev.parvis.shell.grammar.ShellLexer;
import dev.parvis.shell.grammar.ShellLexerBase.LexerState;
import dev.parvis.shell.syntax.ParseException;
import dev.parvis.shell.syntax.ScriptParser;
import dev.parvis.shell.syntax.SourceText;
import java.util.ArrayDeque;
import java.util.Deque;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.Token;

/**
 * The prompt's "does this input need more lines?" check, for the successive inputs of one prompt.
 * JLine checks the whole input again at each Enter, so a pasted script of n lines inside an open
 * block would be lexed and parsed n times over (quadratic). Here the lexer's state is saved at line
 * starts, and the next check, whose input normally extends the last one, lexes only from the last
 * saved line start whose lookahead the new input keeps. While a bracket, string or here-string is
 * left open at the end the input is unfinished whatever follows (the parse fails, and such a
 * failure is reported as incomplete), so the full parse runs only on input that closes all of them.
 * Not thread-safe: JLine's reading thread is its only user.
 */
final class LineCheck {
    /** Saved line starts kept: the last few are the ones a growing input continues from. */
    private static final int KEPT = 8;
    private static final int TOKENS_PER_CHECKPOINT = 1024;

    private final Deque<LineStart> starts = new ArrayDeque<>();
    private String last = "";
    private long charsLexed;
    private long parses;

    /** A lexer state at char index {@code at} of {@link #last}, valid while chars {@code [0, needs)} are unchanged. */
    private record LineStart(int at, int needs, LexerState state) {
    }

    /**
     * Whether {@code text} needs more lines; {@code checkpoint} runs every so many tokens and may
     * throw to stop the check (Ctrl-C).
     */
    boolean incomplete(String text, Runnable checkpoint) {
        if (text.isBlank() || text.length() > ScriptParser.MAX_SCRIPT_CHARS) {
            return false;
        }
        try {
            if (leavesOpen(text, resumeFor(text), checkpoint)) {
                return true;
            }
        } catch (NestingTooDeepException e) {
            return false;
        }
        parses++;
        try {
            ScriptParser.parse(SourceText.interactive(text), checkpoint);
            return false;
        } catch (ParseException e) {
            return e.incomplete();
        }
    }

    /** Characters lexed by the checks so far (the full parses' own lexing not counted). */
    long charsLexed() {
        return charsLexed;
    }

    /** Full parses run by the checks so far. */
    long parses() {
        return parses;
    }

    /** The latest saved line start {@code text} keeps (the others dropped), or null to lex from its beginning. */
    private LineStart resumeFor(String text) {
        while (!starts.isEmpty()) {
            LineStart s = starts.peekLast();
            if (s.needs() <= text.length() && text.regionMatches(0, last, 0, s.needs())) {
                break;
            }
            starts.pollLast();
        }
        last = text;
        return starts.peekLast();
    }

    /** Lexes {@code text} from {@code from} to its end, saving line starts; true when a bracket or string is left open. */
    private boolean leavesOpen(String text, LineStart from, Runnable checkpoint) {
        int base = from == null ? 0 : from.at();
        int baseNeeds = from == null ? 0 : from.needs();
        String rest = text.substring(base);
        LookaheadTrackingStream in = new LookaheadTrackingStream(CharStreams.fromString(rest));
        ShellLexer lexer = new ShellLexer(in);
        lexer.removeErrorListeners();
        if (from != null) {
            lexer.restore(from.state());
        }
        charsLexed += rest.length();
        CodePointOffsets offsets = new CodePointOffsets(rest);
        int tokens = 0;
        for (Token t = lexer.nextToken(); t.getType() != Token.EOF; t = lexer.nextToken()) {
            if (++tokens % TOKENS_PER_CHECKPOINT == 0) {
                checkpoint.run();
            }
            if (in.index() == t.getStopIndex() + 1 && in.LA(-1) == '\n') {
                save(lexer, in, offsets, base, baseNeeds);
            }
        }
        return lexer.hasOpenConstruct();
    }

    private void save(ShellLexer lexer, LookaheadTrackingStream in, CodePointOffsets offsets, int base, int baseNeeds) {
        int at = in.index();
        int atChar = offsets.charIndex(at);
        int needs = in.furthest() >= in.size() ? Integer.MAX_VALUE : base + offsets.charIndexAfter(atChar, in.furthest() + 1 - at);
        starts.addLast(new LineStart(base + atChar, Math.max(needs, baseNeeds), lexer.save(at)));
        if (starts.size() > KEPT) {
            starts.pollFirst();
        }
    }

    /** Char indexes of code point indexes of one text, asked in increasing order (one pass over the text in all). */
    private static final class CodePointOffsets {
        private final String text;
        private int codePoint;
        private int index;

        CodePointOffsets(String text) {
            this.text = text;
        }

        int charIndex(int codePointIndex) {
            if (codePointIndex < codePoint) {
                codePoint = 0;
                index = 0;
            }
            index = text.offsetByCodePoints(index, codePointIndex - codePoint);
            codePoint = codePointIndex;
            return index;
        }

        /** The char index {@code codePoints} code points after char index {@code from}. */
        int charIndexAfter(int from, int codePoints) {
            return text.offsetByCodePoints(from, codePoints);
        }
    }
}
