package dev.parvis.shell.grammar;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;

/**
 * Which touching tokens of argument mode make one argument (about_Parsing). A bare word, a number
 * or a simple variable takes what touches it ('a$a', 'a$($x)b', "a'$a'", 'a"$a"', '$a+2', '$a/H'):
 * the argument is an expandable string. A quoted string, '(...)', '$(...)', '@(...)' or a variable
 * with a member or index at the start of an argument ends it ('$a.b-more' is two arguments), and
 * '(', '@(', '@{' and '{' always start a new one. The lexer puts a zero-width GLUE token between two
 * parts of one argument. The state is per bracket level: a command inside '$(...)' has arguments of
 * its own, and the outer argument goes on after the ')'.
 */
final class ArgumentGlue {
    private static final Set<Integer> STARTS = Set.of(ShellLexer.ARG_WORD, ShellLexer.NUMBER, ShellLexer.VARIABLE,
            ShellLexer.SQ_START, ShellLexer.DQ_START, ShellLexer.SUBEXPR_START, ShellLexer.PARAMETER);
    private static final Set<Integer> ENDS = Set.of(ShellLexer.ARG_WORD, ShellLexer.NUMBER, ShellLexer.VARIABLE, ShellLexer.MEMBER,
            ShellLexer.SQ_END, ShellLexer.DQ_END, ShellLexer.RPAREN, ShellLexer.RBRACKET, ShellLexer.PARAMETER);
    private static final Set<Integer> JOINABLE_HEADS = Set.of(ShellLexer.ARG_WORD, ShellLexer.NUMBER, ShellLexer.VARIABLE);
    /** Closing tokens: the state they go back to is the one saved when their bracket (or string) opened. */
    private static final Set<Integer> CLOSERS = Set.of(ShellLexer.RPAREN, ShellLexer.RBRACE, ShellLexer.RBRACKET, ShellLexer.DQ_END,
            ShellLexer.SQ_END, ShellLexer.HERE_END);
    /** Tokens that open a bracket level (ShellLexerBase.open), whose saved state is what follows their close. */
    static final Set<Integer> OPENERS = Set.of(ShellLexer.SUBEXPR_START, ShellLexer.ARRAY_START, ShellLexer.HASH_START, ShellLexer.LPAREN,
            ShellLexer.LBRACE, ShellLexer.LBRACKET);

    /** The argument being read may take a touching part... */
    private boolean joinable;
    /** ...and has taken one (a member or an index is then text of it, not an access). */
    private boolean compound;
    private final Deque<Integer> outer = new ArrayDeque<>();

    /**
     * An argument-mode token {@code type} was read, {@code touching} the previous one ({@code lastType});
     * true when it goes on the argument that one is part of.
     */
    boolean glues(int type, int lastType, boolean touching) {
        if (CLOSERS.contains(type)) {
            return false;
        }
        boolean glued = joinable && touching && STARTS.contains(type) && ENDS.contains(lastType);
        if (glued) {
            compound = true;
        } else if (type == ShellLexer.MEMBER || type == ShellLexer.LBRACKET) {
            joinable = compound;
        } else {
            joinable = JOINABLE_HEADS.contains(type);
            compound = false;
        }
        if (OPENERS.contains(type) && !outer.isEmpty()) {
            outer.pop();
            outer.push(state());
        }
        return glued;
    }

    /** A '-word' touching the end of an argument it does not go on is text, not a parameter ('$a.Length-more'). */
    static boolean parameterIsText(int lastType, boolean touching) {
        return touching && ENDS.contains(lastType);
    }

    void opened() {
        outer.push(state());
    }

    void closed() {
        if (!outer.isEmpty()) {
            set(outer.pop());
        }
    }

    void clear() {
        outer.clear();
        joinable = false;
        compound = false;
    }

    /** The state as numbers (the current level first), for ShellLexerBase.save. */
    int[] save() {
        int[] s = new int[outer.size() + 1];
        s[0] = state();
        int i = 1;
        for (int level : outer) {
            s[i++] = level;
        }
        return s;
    }

    void restore(int[] s) {
        clear();
        set(s[0]);
        for (int i = 1; i < s.length; i++) {
            outer.addLast(s[i]);
        }
    }

    private int state() {
        return (joinable ? 1 : 0) | (compound ? 2 : 0);
    }

    private void set(int state) {
        joinable = (state & 1) != 0;
        compound = (state & 2) != 0;
    }
}
