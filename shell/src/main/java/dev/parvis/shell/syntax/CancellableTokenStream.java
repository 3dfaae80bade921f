package dev.parvis.shell.syntax;

import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.TokenSource;

/**
 * The parser's token stream, which runs a checkpoint every {@value #EVERY} lookaheads and before
 * each batch of tokens taken from the lexer. ANTLR's lexer and parser know nothing of Ctrl-C; the
 * checkpoint (the session's cancel check) throws to end a parse that a cancel has stopped. Both the
 * lexing of the whole input and the parser's predictions (which may look far ahead) go through here.
 */
final class CancellableTokenStream extends CommonTokenStream {
    /** Lookaheads between checkpoints: a cancel is seen within microseconds, at no measurable cost. */
    private static final int EVERY = 1024;

    private final Runnable checkpoint;
    private int lookaheads;

    CancellableTokenStream(TokenSource source, Runnable checkpoint) {
        super(source);
        this.checkpoint = checkpoint;
    }

    @Override
    protected int fetch(int n) {
        checkpoint.run();
        return super.fetch(n);
    }

    @Override
    public int LA(int i) {
        if (++lookaheads % EVERY == 0) {
            checkpoint.run();
        }
        return super.LA(i);
    }
}
