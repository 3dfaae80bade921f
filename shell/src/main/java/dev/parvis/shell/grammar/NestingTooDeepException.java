package dev.parvis.shell.grammar;

import org.antlr.v4.runtime.Token;

/** A script nests brackets or chains operators past the shell's limit; raised while lexing, before any recursion. */
public final class NestingTooDeepException extends RuntimeException {
    private final transient Token token;

    public NestingTooDeepException(String message, Token token) {
        super(message, null, false, false);
        this.token = token;
    }

    /** Where the limit was crossed. */
    public Token token() {
        return token;
    }
}
