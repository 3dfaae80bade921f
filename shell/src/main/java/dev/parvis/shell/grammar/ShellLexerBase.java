package dev.parvis.shell.grammar;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.antlr.v4.runtime.CharStream;
import org.antlr.v4.runtime.Lexer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.WritableToken;

/**
 * The state the generated {@code ShellLexer} needs beyond its modes: which brackets are open (and
 * what they opened: a parenthesis, a method call's arguments, a block, a hashtable, an index), the
 * last significant token, and from those whether a word starts a command, is a keyword, or is a
 * member or key name. Nesting deeper than {@link #MAX_NESTING} and runs of more than
 * {@link #MAX_OPERATOR_RUN} operators are refused with a {@link NestingTooDeepException}, so no
 * later recursive stage (parser, AST builder, evaluator) can be driven into a stack overflow.
 */
public abstract class ShellLexerBase extends Lexer {
    /** Deepest bracket nesting a script may use. */
    public static final int MAX_NESTING = 64;
    /** Longest run of consecutive operator tokens (unary chains such as {@code - - - -1}). */
    public static final int MAX_OPERATOR_RUN = 64;

    /** What an open bracket opened (PARAMS: a param block's list, after which a statement may follow on the same line). */
    protected enum Ctx { PAREN, CALL, BLOCK, HASH, INDEX, PARAMS }

    private static final Map<String, Integer> KEYWORDS = Map.ofEntries(
            Map.entry("if", ShellLexer.IF), Map.entry("elseif", ShellLexer.ELSEIF), Map.entry("else", ShellLexer.ELSE),
            Map.entry("foreach", ShellLexer.FOREACH), Map.entry("for", ShellLexer.FOR), Map.entry("while", ShellLexer.WHILE),
            Map.entry("do", ShellLexer.DO), Map.entry("until", ShellLexer.UNTIL), Map.entry("break", ShellLexer.BREAK),
            Map.entry("continue", ShellLexer.CONTINUE), Map.entry("return", ShellLexer.RETURN), Map.entry("exit", ShellLexer.EXIT),
            Map.entry("throw", ShellLexer.THROW), Map.entry("function", ShellLexer.FUNCTION), Map.entry("filter", ShellLexer.FILTER),
            Map.entry("param", ShellLexer.PARAM), Map.entry("begin", ShellLexer.BEGIN), Map.entry("process", ShellLexer.PROCESS),
            Map.entry("end", ShellLexer.END), Map.entry("try", ShellLexer.TRY), Map.entry("catch", ShellLexer.CATCH),
            Map.entry("finally", ShellLexer.FINALLY), Map.entry("in", ShellLexer.IN));

    private static final Set<Integer> STARTS_COMMAND = Set.of(
            Token.INVALID_TYPE, ShellLexer.NEWLINE, ShellLexer.SEMI, ShellLexer.PIPE, ShellLexer.LPAREN, ShellLexer.LBRACE,
            ShellLexer.SUBEXPR_START, ShellLexer.ARRAY_START, ShellLexer.ASSIGN, ShellLexer.ASSIGN_OP, ShellLexer.RETURN,
            ShellLexer.THROW, ShellLexer.EXIT, ShellLexer.IN, ShellLexer.FUNCTION, ShellLexer.FILTER);

    private static final Set<Integer> OPERATORS = Set.of(
            ShellLexer.NOT_OP, ShellLexer.EXCLAIM, ShellLexer.MINUS, ShellLexer.PLUS, ShellLexer.BNOT_OP,
            ShellLexer.JOIN_SPLIT_OP, ShellLexer.COMMA, ShellLexer.INC, ShellLexer.DEC, ShellLexer.CMP_OP,
            ShellLexer.LOGIC_OP, ShellLexer.BIT_OP, ShellLexer.FORMAT_OP, ShellLexer.STAR, ShellLexer.SLASH,
            ShellLexer.PERCENT, ShellLexer.DOTDOT, ShellLexer.ASSIGN, ShellLexer.ASSIGN_OP);

    private static final Set<Integer> VALUE_ENDS = Set.of(
            ShellLexer.VARIABLE, ShellLexer.MEMBER, ShellLexer.RPAREN, ShellLexer.RBRACKET);
    private static final int DEFAULT = DEFAULT_MODE;
    /** Tokens that open a string, whose pieces are read in a mode of their own. */
    private static final Set<Integer> STRING_STARTS = Set.of(
            ShellLexer.DQ_START, ShellLexer.HERE_START, ShellLexer.SQ_START, ShellLexer.LITERAL_HERE_START);
    /** Modes that a construct left open at the end of the input leaves the lexer in. */
    private static final Set<Integer> OPEN_MODES = Set.of(
            ShellLexer.DQ, ShellLexer.HERE, ShellLexer.SQ, ShellLexer.LITERAL_HERE_BODY, ShellLexer.COMMENT);

    private final Deque<Ctx> contexts = new ArrayDeque<>();
    private final ArgumentGlue glue = new ArgumentGlue();
    /** The token the next call returns, after the GLUE returned before it. */
    private Token pending;
    private boolean glueNext;
    private int lastType = Token.INVALID_TYPE;
    private int lastStop = -2;
    private int operatorRun;
    private int bracketChain;
    /** What the last closing bracket closed (null when it matched nothing). */
    private Ctx lastClosed;

    protected ShellLexerBase(CharStream input) {
        super(input);
        _mode = ShellLexer.CMD;
    }

    @Override
    public void reset() {
        super.reset();
        contexts.clear();
        glue.clear();
        pending = null;
        glueNext = false;
        lastType = Token.INVALID_TYPE;
        lastStop = -2;
        operatorRun = 0;
        bracketChain = 0;
        lastClosed = null;
        _mode = ShellLexer.CMD;
    }

    /**
     * The state between two tokens, taken where the next token starts ({@code position}, an index of
     * this lexer's input); a lexer on a text that starts there continues from it with
     * {@link #restore}, as if it had read everything before. Offsets are kept relative to that point.
     */
    public LexerState save(int position) {
        return new LexerState(contexts.toArray(new Ctx[0]), lastType, lastStop - position, operatorRun, bracketChain, lastClosed,
                _mode, _modeStack.toArray(), getLine(), glue.save());
    }

    /** Continues from {@code state}, this lexer's input starting where the state was saved. */
    public void restore(LexerState state) {
        contexts.clear();
        for (Object c : state.contexts) {
            contexts.addLast((Ctx) c);
        }
        lastType = state.lastType;
        lastStop = state.lastStop;
        operatorRun = state.operatorRun;
        bracketChain = state.bracketChain;
        lastClosed = (Ctx) state.lastClosed;
        glue.restore(state.glue);
        _mode = state.mode;
        _modeStack.clear();
        _modeStack.addAll(state.modeStack);
        setLine(state.line);
        setCharPositionInLine(0);
    }

    /** What {@link #save} keeps; opaque outside the lexer. */
    public static final class LexerState {
        private final Object[] contexts;
        private final int lastType;
        private final int lastStop;
        private final int operatorRun;
        private final int bracketChain;
        private final Object lastClosed;
        private final int mode;
        private final int[] modeStack;
        private final int line;
        private final int[] glue;

        private LexerState(Object[] contexts, int lastType, int lastStop, int operatorRun, int bracketChain, Object lastClosed,
                           int mode, int[] modeStack, int line, int[] glue) {
            this.contexts = contexts;
            this.lastType = lastType;
            this.lastStop = lastStop;
            this.operatorRun = operatorRun;
            this.bracketChain = bracketChain;
            this.lastClosed = lastClosed;
            this.mode = mode;
            this.modeStack = modeStack;
            this.line = line;
            this.glue = glue;
        }
    }

    /** Returns the GLUE token between two parts of one argument (see {@link ArgumentGlue}) before the second. */
    @Override
    public Token nextToken() {
        if (pending != null) {
            Token t = pending;
            pending = null;
            return t;
        }
        Token t = super.nextToken();
        if (!glueNext) {
            return t;
        }
        glueNext = false;
        pending = t;
        return _factory.create(_tokenFactorySourcePair, ShellLexer.GLUE, "", Token.DEFAULT_CHANNEL, t.getStartIndex(), t.getStartIndex() - 1,
                t.getLine(), t.getCharPositionInLine());
    }

    /** The token just read was read in argument mode (a token that opened a bracket or string there has pushed that mode). */
    private boolean inArguments(int type) {
        if (_mode == ShellLexer.ARGS || _mode == ShellLexer.ARG_VALUE) {
            return true;
        }
        boolean opener = ArgumentGlue.OPENERS.contains(type) || STRING_STARTS.contains(type);
        return opener && !_modeStack.isEmpty() && (_modeStack.peek() == ShellLexer.ARGS || _modeStack.peek() == ShellLexer.ARG_VALUE);
    }

    private void glueArgument(Token t) {
        boolean touching = t.getStartIndex() == lastStop + 1;
        glueNext = glue.glues(t.getType(), lastType, touching);
        if (!glueNext && t.getType() == ShellLexer.PARAMETER && ArgumentGlue.parameterIsText(lastType, touching)
                && t instanceof WritableToken w) {
            w.setType(ShellLexer.ARG_WORD);
            glue.glues(ShellLexer.ARG_WORD, lastType, touching);
        }
    }

    /** True when the text lexed so far leaves a bracket, string, here-string or block comment open (input continues). */
    public boolean hasOpenConstruct() {
        return !contexts.isEmpty() || OPEN_MODES.contains(_mode);
    }

    /** True when the text lexed so far ends inside a block comment, which the parser does not see. */
    public boolean inBlockComment() {
        return _mode == ShellLexer.COMMENT;
    }

    @Override
    public Token emit() {
        Token t = super.emit();
        if (t.getChannel() == Token.DEFAULT_CHANNEL) {
            operatorRun = OPERATORS.contains(t.getType()) ? operatorRun + 1 : 0;
            if (operatorRun > MAX_OPERATOR_RUN) {
                throw new NestingTooDeepException("more than " + MAX_OPERATOR_RUN + " operators in a row", t);
            }
            // [int][int][int]... (casts) and $a[0][0][0]... (indexes) nest in the parser too.
            if (t.getType() == ShellLexer.LBRACKET) {
                bracketChain = lastType == ShellLexer.RBRACKET ? bracketChain + 1 : 0;
                if (bracketChain > MAX_OPERATOR_RUN) {
                    throw new NestingTooDeepException("more than " + MAX_OPERATOR_RUN + " casts or indexes in a row", t);
                }
            }
            if (inArguments(t.getType())) {
                glueArgument(t);
            }
            lastType = t.getType();
            lastStop = t.getStopIndex();
            chooseNextMode();
        }
        return t;
    }

    /**
     * After a token: in expression mode, the next token is at a command position (CMD) or not
     * (DEFAULT); in argument mode, a value touching '.' or '[' goes on as a member or an index.
     */
    private void chooseNextMode() {
        if (_mode == DEFAULT || _mode == ShellLexer.CMD) {
            _mode = atCommandPosition() ? ShellLexer.CMD : DEFAULT;
        } else if (_mode == ShellLexer.ARGS || _mode == ShellLexer.ARG_VALUE) {
            int next = _input.LA(1);
            _mode = VALUE_ENDS.contains(lastType) && (next == '.' || next == '[') ? ShellLexer.ARG_VALUE : ShellLexer.ARGS;
        }
    }

    /** The character(s) just matched belong to a token of another mode: lex them again there. */
    protected void relexIn(int mode) {
        _input.seek(_tokenStartCharIndex);
        getInterpreter().setLine(_tokenStartLine);
        getInterpreter().setCharPositionInLine(_tokenStartCharPositionInLine);
        _mode = mode;
        skip();
    }

    /**
     * A number ending in its decimal point is a real ('1.' is 1.0, as in PowerShell), unless a second
     * '.' (a range: '1..3') or a name (a member: '1.Equals(1)') follows the point: then the point
     * is given back and lexed as what it starts.
     */
    protected void numberEnd() {
        int next = _input.LA(1);
        if (_input.LA(-1) == '.' && (next == '.' || next == '_' || Character.isLetter(next))) {
            _input.seek(_input.index() - 1);
            getInterpreter().setCharPositionInLine(getInterpreter().getCharPositionInLine() - 1);
        }
    }

    /** '-Name:value' matched as one word: the token ends at the colon and the value is lexed on its own. */
    protected void parameterBeforeValue() {
        int afterColon = getText().indexOf(':') + 1;
        int giveBack = getCharIndex() - (_tokenStartCharIndex + afterColon);
        _input.seek(_tokenStartCharIndex + afterColon);
        getInterpreter().setCharPositionInLine(getInterpreter().getCharPositionInLine() - giveBack);
    }

    /** '&' at a command position calls what follows; '&&' is lexed (and refused) in expression mode. */
    protected void callOperator() {
        if (_input.LA(1) == '&') {
            relexIn(DEFAULT);
            return;
        }
        setType(ShellLexer.AMPERSAND);
        pushMode(ShellLexer.ARGS);
    }

    protected void open(Ctx ctx) {
        if (_mode == ShellLexer.CMD) {
            _mode = DEFAULT;
        }
        if (contexts.size() >= MAX_NESTING) {
            throw new NestingTooDeepException("nesting deeper than " + MAX_NESTING + " levels",
                    _factory.create(_tokenFactorySourcePair, ShellLexer.ERROR_CHAR, getText(), Token.DEFAULT_CHANNEL,
                            _tokenStartCharIndex, getCharIndex() - 1, _tokenStartLine, _tokenStartCharPositionInLine));
        }
        contexts.push(ctx);
        glue.opened();
        pushMode(DEFAULT_MODE);
    }

    /** '(' right after a name (a method call, an attribute) holds arguments, not a statement. */
    protected void openParen() {
        boolean call = (lastType == ShellLexer.IDENT || lastType == ShellLexer.MEMBER) && adjacent();
        open(call ? Ctx.CALL : lastType == ShellLexer.PARAM ? Ctx.PARAMS : Ctx.PAREN);
    }

    protected void close() {
        lastClosed = null;
        if (!contexts.isEmpty()) {
            lastClosed = contexts.pop();
            glue.closed();
            safePopMode();
        }
    }

    @Override
    public int popMode() {
        return safePopMode();
    }

    private int safePopMode() {
        return _modeStack.isEmpty() ? _mode : super.popMode();
    }

    /** A word here would start a command (or be a statement keyword). */
    protected boolean atCommandPosition() {
        if (lastType == ShellLexer.RPAREN && lastClosed == Ctx.PARAMS) {
            return true;
        }
        Ctx top = contexts.peek();
        if (top == Ctx.HASH) {
            return lastType == ShellLexer.ASSIGN;
        }
        if (top == Ctx.CALL || top == Ctx.INDEX) {
            return false;
        }
        return STARTS_COMMAND.contains(lastType);
    }

    /** A word at a command position: a keyword, a function's name, or a command name (then arguments follow). */
    protected void commandWord() {
        _mode = DEFAULT;
        String word = getText().toLowerCase(Locale.ROOT);
        if (lastType == ShellLexer.FUNCTION || lastType == ShellLexer.FILTER) {
            setType(ShellLexer.FUNCTION_NAME);
            return;
        }
        Integer keyword = KEYWORDS.get(word);
        // After '|', 'foreach' is the alias of ForEach-Object, not the statement.
        if (keyword != null && !(lastType == ShellLexer.PIPE && keyword == ShellLexer.FOREACH)) {
            setType(keyword);
            return;
        }
        setType(ShellLexer.COMMAND_NAME);
        pushMode(ShellLexer.ARGS);
    }

    /** A plain word elsewhere: a member or static member name, a hashtable key, a type name, or a keyword. */
    protected void identWord() {
        boolean member = (lastType == ShellLexer.DOT || lastType == ShellLexer.DOUBLECOLON) && adjacent();
        boolean hashKey = contexts.peek() == Ctx.HASH && lastType != ShellLexer.ASSIGN;
        boolean typeName = contexts.peek() == Ctx.INDEX || contexts.peek() == Ctx.CALL;
        Integer keyword = KEYWORDS.get(getText().toLowerCase(Locale.ROOT));
        setType(member || hashKey || typeName || keyword == null ? ShellLexer.IDENT : keyword);
    }

    /** '-word' in expression mode: an operator, typed by its group. */
    protected void dashWord() {
        setType(DashOperators.tokenType(getText().substring(1).toLowerCase(Locale.ROOT)));
    }

    private boolean adjacent() {
        return _tokenStartCharIndex == lastStop + 1;
    }
}
