/*
 * Syntax of the Parvis shell language, a PowerShell subset: statements, pipelines of commands,
 * expressions with PowerShell's operator precedence (comma binds tighter than arithmetic, so
 * '$x -in 'a','b'' tests membership), script blocks, functions with param blocks, try/catch/finally.
 * The AST is built from this tree by dev.parvis.shell.syntax.AstBuilder.
 */
parser grammar ShellParser;

options { tokenVocab = ShellLexer; superClass = ShellParserBase; }

script          : scriptBlockBody EOF ;

scriptBlockBody : sep* (paramBlock sep*)? (namedBlock (sep* namedBlock)* sep* | statementList) ;
namedBlock      : (BEGIN | PROCESS | END) NEWLINE* block ;
// Newlines inside brackets that may be empty go with the content, never on both sides of an
// optional part (see statementList for why).
paramBlock      : (attribute NEWLINE*)* PARAM NEWLINE* LPAREN NEWLINE* (parameterList NEWLINE*)? RPAREN ;
parameterList   : parameter (NEWLINE* COMMA NEWLINE* parameter)* ;
parameter       : (attribute NEWLINE*)* (typeLiteral NEWLINE*)? VARIABLE (NEWLINE* ASSIGN NEWLINE* argumentExpression)? ;
attribute       : LBRACKET IDENT LPAREN NEWLINE* (attributeArgument (NEWLINE* COMMA NEWLINE* attributeArgument)* NEWLINE*)? RPAREN RBRACKET ;
attributeArgument : IDENT (ASSIGN argumentExpression)? | argumentExpression ;

// Separators before the first statement belong to the rule that calls this one (every caller
// starts with sep*); if an empty list could also take them, each leading separator would be a
// decision looking ahead through all the others, and a file of blank lines would parse in
// quadratic time (minutes for a long file, though Ctrl-C now stops it).
statementList   : (statement (sep+ statement)* sep*)? ;
sep             : NEWLINE | SEMI ;
block           : LBRACE sep* statementList RBRACE ;

statement
    : ifStatement
    | foreachStatement
    | forStatement
    | whileStatement
    | doStatement
    | functionDefinition
    | tryStatement
    | flowStatement
    | pipeline
    ;

ifStatement     : IF NEWLINE* condition NEWLINE* block elseIfClause* elseClause? ;
elseIfClause    : NEWLINE* ELSEIF NEWLINE* condition NEWLINE* block ;
elseClause      : NEWLINE* ELSE NEWLINE* block ;
condition       : LPAREN NEWLINE* pipeline NEWLINE* RPAREN ;
foreachStatement : FOREACH NEWLINE* LPAREN NEWLINE* VARIABLE NEWLINE* IN NEWLINE* pipeline NEWLINE* RPAREN NEWLINE* block ;
// One ';' between the parts ('for (;;;)' is an error in PowerShell too; unlike PowerShell, a
// newline does not end a part). Separators that could repeat between optional parts made each one
// a decision looking ahead through all the rest (a header of 200,000 semicolons took the parser
// hours); so does a run of newlines that either of two NEWLINE* could take, hence each part with
// the newlines after it.
forStatement    : FOR NEWLINE* LPAREN NEWLINE* (forInit=forPart NEWLINE*)?
                  (SEMI NEWLINE* (forCondition=forPart NEWLINE*)? (SEMI NEWLINE* (forStep=forPart NEWLINE*)?)?)? RPAREN NEWLINE* block ;
forPart         : pipeline ;
whileStatement  : WHILE NEWLINE* condition NEWLINE* block ;
doStatement     : DO NEWLINE* block NEWLINE* (WHILE | UNTIL) NEWLINE* condition ;
functionDefinition : (FUNCTION | FILTER) NEWLINE* FUNCTION_NAME NEWLINE* (LPAREN NEWLINE* (parameterList NEWLINE*)? RPAREN NEWLINE*)? LBRACE scriptBlockBody RBRACE ;
tryStatement    : TRY NEWLINE* block catchClause* finallyClause? ;
catchClause     : NEWLINE* CATCH NEWLINE* (typeLiteral (NEWLINE* COMMA NEWLINE* typeLiteral)* NEWLINE*)? block ;
finallyClause   : NEWLINE* FINALLY NEWLINE* block ;
flowStatement
    : BREAK                         # breakStatement
    | CONTINUE                      # continueStatement
    | RETURN pipeline?              # returnStatement
    | EXIT expression?              # exitStatement
    | THROW pipeline?               # throwStatement
    ;

// An expression first, then '=' makes it an assignment: deciding after the expression keeps the
// parser from scanning a long expression twice.
pipeline        : (command | expression assignmentTail?) (PIPE NEWLINE* command)* ;
assignmentTail  : (ASSIGN | ASSIGN_OP) NEWLINE* statement ;

command
    : COMMAND_NAME commandElement*                                  # namedCommand
    | (AMPERSAND | DOT_SOURCE) commandTarget GLUE? commandElement*  # invokedCommand
    ;
commandTarget   : ARG_WORD | primaryExpression ;
commandElement  : PARAMETER | commandArgument ;
commandArgument : argumentValue (COMMA NEWLINE* argumentValue)* ;
// Touching parts the lexer glued make one argument, an expandable string (about_Parsing: 'a$a', '$a+2', 'a"$a"').
argumentValue   : argumentHead (GLUE argumentPart)* ;
argumentHead    : ARG_WORD | postfixExpression ;
argumentPart    : argumentHead | PARAMETER ;

// Binary operators, highest precedence first (ANTLR's left-recursion order).
expression
    : unaryExpression                                               # unary
    | expression COMMA NEWLINE* expression                          # arrayLiteral
    | expression DOTDOT NEWLINE* expression                         # range
    | expression FORMAT_OP NEWLINE* expression                      # format
    | expression op=(STAR | SLASH | PERCENT) NEWLINE* expression    # multiplicative
    | expression op=(PLUS | MINUS) NEWLINE* expression              # additive
    | expression BIT_OP NEWLINE* expression                         # bitwise
    | expression op=(CMP_OP | JOIN_SPLIT_OP) NEWLINE* expression    # comparison
    | expression LOGIC_OP NEWLINE* expression                       # logical
    ;

// The same without the comma, for method-call arguments where the comma separates arguments.
argumentExpression
    : unaryExpression                                                               # argUnary
    | argumentExpression DOTDOT NEWLINE* argumentExpression                         # argRange
    | argumentExpression FORMAT_OP NEWLINE* argumentExpression                      # argFormat
    | argumentExpression op=(STAR | SLASH | PERCENT) NEWLINE* argumentExpression    # argMultiplicative
    | argumentExpression op=(PLUS | MINUS) NEWLINE* argumentExpression              # argAdditive
    | argumentExpression BIT_OP NEWLINE* argumentExpression                         # argBitwise
    | argumentExpression op=(CMP_OP | JOIN_SPLIT_OP) NEWLINE* argumentExpression    # argComparison
    | argumentExpression LOGIC_OP NEWLINE* argumentExpression                       # argLogical
    ;

unaryExpression
    : op=(NOT_OP | EXCLAIM | MINUS | PLUS | BNOT_OP | JOIN_SPLIT_OP) NEWLINE* unaryExpression  # prefixOperator
    | COMMA unaryExpression                                         # unaryComma
    | op=(INC | DEC) unaryExpression                                # preIncrement
    | typeLiteral unaryExpression                                   # cast
    | postfixExpression                                             # plainPostfix
    ;

postfixExpression : primaryExpression postfixOperator* (INC | DEC)? ;

postfixOperator
    : DOT memberName invocation?                                    # memberAccess
    | MEMBER invocation?                                            # argumentMemberAccess
    | DOUBLECOLON memberName invocation?                            # staticMemberAccess
    | LBRACKET NEWLINE* expression NEWLINE* RBRACKET                 # index
    ;

invocation      : { adjacent() }? LPAREN NEWLINE* (argumentExpression (NEWLINE* COMMA NEWLINE* argumentExpression)* NEWLINE*)? RPAREN ;

memberName      : IDENT | VARIABLE | stringLiteral | keyword ;

primaryExpression
    : VARIABLE                                                      # variable
    | NUMBER                                                        # number
    | stringLiteral                                                 # string
    | LPAREN NEWLINE* pipeline NEWLINE* RPAREN                      # parenthesized
    | SUBEXPR_START sep* statementList RPAREN                       # subExpression
    | ARRAY_START sep* statementList RPAREN                         # arrayExpression
    | HASH_START sep* (hashEntry (sep+ hashEntry)* sep*)? RBRACE    # hashLiteral
    | scriptBlockLiteral                                            # scriptBlock
    | typeLiteral                                                   # typeExpression
    ;

hashEntry       : hashKey NEWLINE* ASSIGN NEWLINE* statement ;
hashKey         : IDENT | stringLiteral | NUMBER | keyword ;
scriptBlockLiteral : LBRACE scriptBlockBody RBRACE ;
typeLiteral     : LBRACKET typeName RBRACKET ;
typeName        : IDENT (DOT IDENT)* (LBRACKET RBRACKET)? ;

stringLiteral
    : SQ_START SQ_TEXT* SQ_END                                      # literalString
    | LITERAL_HERE_START SQ_TEXT* LITERAL_HERE_END                  # literalHereString
    | LITERAL_HERE                                                  # emptyHereString
    | DQ_START stringPart* DQ_END                                   # expandableString
    | HERE_START stringPart* HERE_END                               # expandableHereString
    ;
stringPart      : DQ_TEXT | DQ_VAR | SUBEXPR_START sep* statementList RPAREN ;

keyword : IF | ELSEIF | ELSE | FOREACH | FOR | WHILE | DO | UNTIL | BREAK | CONTINUE | RETURN | EXIT | THROW
        | FUNCTION | FILTER | PARAM | BEGIN | PROCESS | END | TRY | CATCH | FINALLY | IN ;
