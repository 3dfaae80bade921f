/*
 * Tokens of the Parvis shell language (a PowerShell subset).
 *
 * PowerShell reads a line in two modes: expression mode (operators, numbers, member access) and
 * argument mode after a command name (bare words, -Parameters). The DEFAULT mode here is expression
 * mode. At a command position (start of a statement, after '|', '=', '(' ...) the lexer is in CMD
 * mode, where a word is a keyword or a COMMAND_NAME (which switches to ARGS until the command ends:
 * '|', ';', newline, or the bracket that encloses it); anything else is lexed again in DEFAULT.
 * Brackets, sub-expressions and script blocks push DEFAULT, so the mode stack follows the nesting;
 * ShellLexerBase keeps the matching context stack, refuses nesting past a limit, and picks the mode
 * for the next token. No lexer rule carries a predicate, so ANTLR caches the whole lexer DFA.
 */
lexer grammar ShellLexer;

options { superClass = ShellLexerBase; caseInsensitive = true; }

tokens {
    IF, ELSEIF, ELSE, FOREACH, FOR, WHILE, DO, UNTIL, BREAK, CONTINUE, RETURN, EXIT, THROW,
    FUNCTION, FILTER, PARAM, BEGIN, PROCESS, END, TRY, CATCH, FINALLY, IN,
    COMMAND_NAME, FUNCTION_NAME, AMPERSAND, DOT_SOURCE, IDENT, MEMBER, PARAMETER, ARG_WORD, DQ_TEXT, DQ_VAR, DQ_END,
    SQ_TEXT, SQ_END, LITERAL_HERE_END,
    // zero-width, between two touching parts of one argument ('a$b', '$a+2'); see ShellLexerBase.gluesToArgument
    GLUE,
    // operators, typed by dashWord() from the text after '-'
    CMP_OP, LOGIC_OP, NOT_OP, BNOT_OP, BIT_OP, FORMAT_OP, JOIN_SPLIT_OP, UNKNOWN_OP
}

// ---------------------------------------------------------------- expression mode
WS              : [ \t\f\u00A0\uFEFF]+ -> channel(HIDDEN);
LINE_CONTINUATION : '`' '\r'? '\n' -> channel(HIDDEN);
// A block comment, a 'single-quoted' string and an @' here-string are read in pieces that end at
// line breaks, as "double-quoted" ones are, so that the prompt's line check (LineCheck) continues
// from a line start inside one that spans many lines, and one left open at the end asks for more.
BLOCK_COMMENT   : '<#' -> channel(HIDDEN), pushMode(COMMENT);
LINE_COMMENT    : '#' ~[\r\n]* -> channel(HIDDEN);
NEWLINE         : '\r'? '\n' | '\r';

// A number with PowerShell 7's type suffixes and multipliers (about_Numeric_Literals; NumberLiterals
// reads them). In argument mode only 'l' and the multipliers make a number; with another suffix the
// word stays text ('Get-VM 10d' passes "10d", as PowerShell does to a [string] parameter).
// A real may end in its point ('1.', '1.e2'); numberEnd() gives that point back before a range's
// '..' and before a member name ('1..3', '1.Equals(1)').
NUMBER          : Mantissa ('l' | OtherTypeSuffix)? Multiplier? { numberEnd(); };
VARIABLE        : Variable;

// An empty here-string (its closing line right after its opening one) is one token; the others are read in pieces.
LITERAL_HERE    : ('@\'' [ \t]* Newline '\'@' | '@"' [ \t]* Newline '"@');
LITERAL_HERE_START : '@\'' [ \t]* Newline -> pushMode(LITERAL_HERE_BODY);
SQ_START        : '\'' -> pushMode(SQ);
HERE_START      : '@"' [ \t]* Newline -> pushMode(HERE);
DQ_START        : '"' -> pushMode(DQ);

SUBEXPR_START   : '$(' { open(Ctx.PAREN); };
ARRAY_START     : '@(' { open(Ctx.PAREN); };
HASH_START      : '@{' { open(Ctx.HASH); };
LPAREN          : '(' { openParen(); };
LBRACE          : '{' { open(Ctx.BLOCK); };
LBRACKET        : '[' { open(Ctx.INDEX); };
RPAREN          : ')' { close(); };
RBRACE          : '}' { close(); };
RBRACKET        : ']' { close(); };

IDENT_WORD      : [a-z_] [a-z0-9_]* { identWord(); };

DASH_OP         : '-' [a-z] [a-z]* { dashWord(); };
INC             : '++';
DEC             : '--';
ASSIGN          : '=';
ASSIGN_OP       : '+=' | '-=' | '*=' | '/=' | '%=';
PLUS            : '+';
MINUS           : '-' | '\u2013' | '\u2014';
STAR            : '*';
SLASH           : '/';
PERCENT         : '%';
EXCLAIM         : '!';
DOTDOT          : '..';
DOUBLECOLON     : '::';
DOT             : '.';
COMMA           : ',';
SEMI            : ';';
PIPE            : '|';
// Tokens no rule accepts: the parser reports them with a hint (ShellErrorListener).
UNSUPPORTED     : '&&' | '||' | '>' | '>>' | '<' | '&';

ERROR_CHAR      : . ;

// ---------------------------------------------------------------- command position
mode CMD;
C_WS            : [ \t\f\u00A0\uFEFF]+ -> channel(HIDDEN);
C_CONTINUATION  : '`' '\r'? '\n' -> channel(HIDDEN);
C_BLOCK_COMMENT : '<#' -> channel(HIDDEN), pushMode(COMMENT);
C_COMMENT       : '#' ~[\r\n]* -> channel(HIDDEN);
// A command name (Get-VM, ./deploy.ps1, /tmp/x.ps1, the aliases ? and %) or a keyword.
C_WORD          : ([a-z_?%] | '.' '.'? [/\\] | '~'? '/') CommandChar* { commandWord(); };
C_AMPERSAND     : '&' { callOperator(); };
C_DOT_SOURCE    : '.' [ \t] { pushMode(ARGS); } -> type(DOT_SOURCE);
C_OTHER         : . { relexIn(DEFAULT_MODE); };

// ---------------------------------------------------------------- argument mode
mode ARGS;
A_WS            : [ \t\f\u00A0\uFEFF]+ -> channel(HIDDEN);
A_CONTINUATION  : '`' '\r'? '\n' -> channel(HIDDEN);
A_BLOCK_COMMENT : '<#' -> channel(HIDDEN), pushMode(COMMENT);
A_COMMENT       : '#' ~[\r\n]* -> channel(HIDDEN);
A_NEWLINE       : ('\r'? '\n' | '\r') -> type(NEWLINE), popMode;
A_SEMI          : ';' -> type(SEMI), popMode;
A_PIPE          : '|' -> type(PIPE), popMode;
A_RPAREN        : ')' { popMode(); close(); } -> type(RPAREN);
A_RBRACE        : '}' { popMode(); close(); } -> type(RBRACE);
A_RBRACKET      : ']' { popMode(); close(); } -> type(RBRACKET);

A_PARAMETER     : '-' [a-z_?] [a-z0-9_\-]* ':'? -> type(PARAMETER);
// '-Name:value' (about_Parameters): the parameter and its value, though one word would be longer.
// The rule matches as much as A_WORD (so it wins), then parameterBeforeValue() gives back what
// follows the colon, to be lexed as the value ('-Name:a,b' passes an array, as in PowerShell).
A_PARAMETER_VALUE : '-' [a-z_?] [a-z0-9_\-]* ':' ~[ \t\f\r\n|;(){},'"`$&<>]+ { parameterBeforeValue(); } -> type(PARAMETER);
A_NUMBER        : '-'? Mantissa 'l'? Multiplier? -> type(NUMBER);
A_VARIABLE      : Variable -> type(VARIABLE);
A_LITERAL_HERE  : ('@\'' [ \t]* Newline '\'@' | '@"' [ \t]* Newline '"@') -> type(LITERAL_HERE);
A_LITERAL_HERE_START : '@\'' [ \t]* Newline -> type(LITERAL_HERE_START), pushMode(LITERAL_HERE_BODY);
A_SQ_START      : '\'' -> type(SQ_START), pushMode(SQ);
A_HERE_START    : '@"' [ \t]* Newline -> type(HERE_START), pushMode(HERE);
A_DQ_START      : '"' -> type(DQ_START), pushMode(DQ);
A_SUBEXPR_START : '$(' { open(Ctx.PAREN); } -> type(SUBEXPR_START);
A_ARRAY_START   : '@(' { open(Ctx.PAREN); } -> type(ARRAY_START);
A_HASH_START    : '@{' { open(Ctx.HASH); } -> type(HASH_START);
A_LPAREN        : '(' { open(Ctx.PAREN); } -> type(LPAREN);
A_LBRACE        : '{' { open(Ctx.BLOCK); } -> type(LBRACE);
A_COMMA         : ',' -> type(COMMA);
A_UNSUPPORTED   : ('&&' | '||' | '>' | '>>' | '<' | '2>' | '2>&1' | '&') -> type(UNSUPPORTED);
// A bare word is a string; '[' and ']' are not special in argument mode (about_Parsing), so
// 'Write-Output [int]' passes the text "[int]" and 'vm[1]' is one word. A ']' that starts a token
// still closes a bracket (A_RBRACKET).
A_WORD          : ~[ \t\f\r\n|;(){},'"`$@&#\]<>] ~[ \t\f\r\n|;(){},'"`$&<>]* -> type(ARG_WORD);
A_ERROR_CHAR    : . -> type(ERROR_CHAR);

// ---------------------------------------------------------------- right after a value in argument mode
// ($vm.Name, $args[0], (Get-Date).Year): a member or an index; anything else is lexed again in ARGS.
mode ARG_VALUE;
V_MEMBER        : '.' [a-z_] [a-z0-9_]* -> type(MEMBER);
V_LBRACKET      : '[' { open(Ctx.INDEX); } -> type(LBRACKET);
V_OTHER         : . { relexIn(ARGS); };

// ---------------------------------------------------------------- "double-quoted" strings
mode DQ;
DQ_CLOSE        : '"' -> type(DQ_END), popMode;
DQ_SUB          : '$(' { open(Ctx.PAREN); } -> type(SUBEXPR_START);
DQ_VARIABLE     : Variable -> type(DQ_VAR);
// Text and line breaks are separate tokens, so that the prompt's line check (LineCheck) can continue
// from a line start inside a string that spans many lines.
DQ_CHARS        : (~["`$\r\n] | '`' . | '""')+ -> type(DQ_TEXT);
DQ_LINE_BREAK   : ('\r'? '\n' | '\r') -> type(DQ_TEXT);
DQ_DOLLAR       : '$' -> type(DQ_TEXT);
DQ_TRAILING_TICK : '`' -> type(DQ_TEXT);

// ---------------------------------------------------------------- 'single-quoted' strings ('' is a quote)
mode SQ;
SQ_CLOSE        : '\'' -> type(SQ_END), popMode;
SQ_CHARS        : (~['\r\n] | '\'\'')+ -> type(SQ_TEXT);
SQ_LINE_BREAK   : ('\r'? '\n' | '\r') -> type(SQ_TEXT);

// ---------------------------------------------------------------- @' here-strings '@ (no expansion)
mode LITERAL_HERE_BODY;
LH_END          : Newline '\'@' -> type(LITERAL_HERE_END), popMode;
LH_CHARS        : ~[\r\n]+ -> type(SQ_TEXT);
LH_LINE_BREAK   : ('\r'? '\n' | '\r') -> type(SQ_TEXT);

// ---------------------------------------------------------------- <# block comments #>
mode COMMENT;
COMMENT_END     : '#>' -> channel(HIDDEN), popMode;
COMMENT_CHARS   : ~[#\r\n]+ -> channel(HIDDEN);
COMMENT_HASH    : '#' -> channel(HIDDEN);
COMMENT_LINE_BREAK : ('\r'? '\n' | '\r') -> channel(HIDDEN);

// ---------------------------------------------------------------- @" here-strings "@
mode HERE;
HERE_END        : Newline '"@' -> popMode;
HERE_SUB        : '$(' { open(Ctx.PAREN); } -> type(SUBEXPR_START);
HERE_VARIABLE   : Variable -> type(DQ_VAR);
HERE_CHARS      : (~[`$\r\n] | '`' .)+ -> type(DQ_TEXT);
HERE_NEWLINE    : Newline -> type(DQ_TEXT);
HERE_DOLLAR     : '$' -> type(DQ_TEXT);
HERE_TRAILING_TICK : '`' -> type(DQ_TEXT);

// ---------------------------------------------------------------- fragments
fragment Newline     : '\r'? '\n';
fragment Digits      : [0-9]+;
fragment Mantissa    : '0x' [0-9a-f]+ | '0b' [01]+ | (Digits ('.' Digits?)? | '.' Digits) ('e' [+-]? Digits)?;
fragment OtherTypeSuffix : 'd' | 'n' | 'u' | 'ul' | 'y' | 'uy' | 's' | 'us';  // see NumberSuffix
fragment Multiplier  : 'kb' | 'mb' | 'gb' | 'tb' | 'pb';
fragment VarName     : [a-z_0-9]+ (':' [a-z_0-9]+)?;
fragment Variable    : '$' (VarName | '?' | '$' | '^') | '${' ~[}\r\n]+ '}';
fragment CommandChar : [a-z0-9_\-.\\/:~];
