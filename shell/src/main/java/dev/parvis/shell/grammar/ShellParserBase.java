package dev.parvis.shell.grammar;

import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenStream;

/** What the generated {@code ShellParser}'s predicates ask: whether two tokens touch ({@code $s.Trim()} vs {@code $s.Trim ()}). */
public abstract class ShellParserBase extends Parser {
    protected ShellParserBase(TokenStream input) {
        super(input);
    }

    /** The next token starts right where the previous one ended (no whitespace between). */
    protected boolean adjacent() {
        Token previous = _input.LT(-1);
        Token next = _input.LT(1);
        return previous != null && next != null && previous.getStopIndex() + 1 == next.getStartIndex();
    }
}
