package dev.parvis.shell.console;

import org.antlr.v4.runtime.CharStream;
import org.antlr.v4.runtime.misc.Interval;

/**
 * A lexer's input that remembers the furthest character the lexer looked at. A lexer state saved
 * between two tokens depends on the text up to that character only (ANTLR's longest match may look
 * past a token's end, an unclosed string up to the end of the text), so {@link LineCheck} may
 * continue from it on any text that keeps those characters.
 */
final class LookaheadTrackingStream implements CharStream {
    private final CharStream in;
    private int furthest = -1;

    LookaheadTrackingStream(CharStream in) {
        this.in = in;
    }

    /** The index of the furthest character looked at; {@link #size()} when the lexer looked at the end of the text. */
    int furthest() {
        return Math.min(furthest, in.size());
    }

    @Override
    public int LA(int i) {
        if (i > 0) {
            furthest = Math.max(furthest, in.index() + i - 1);
        }
        return in.LA(i);
    }

    @Override
    public String getText(Interval interval) {
        return in.getText(interval);
    }

    @Override
    public void consume() {
        in.consume();
    }

    @Override
    public int mark() {
        return in.mark();
    }

    @Override
    public void release(int marker) {
        in.release(marker);
    }

    @Override
    public int index() {
        return in.index();
    }

    @Override
    public void seek(int index) {
        in.seek(index);
    }

    @Override
    public int size() {
        return in.size();
    }

    @Override
    public String getSourceName() {
        return in.getSourceName();
    }
}
