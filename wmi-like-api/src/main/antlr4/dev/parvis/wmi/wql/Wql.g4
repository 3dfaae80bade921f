/*
 * WQL, the WMI query language, as far as Parvis answers it: SELECT with a WHERE clause,
 * ASSOCIATORS OF and REFERENCES OF an object path, and intrinsic event queries
 * (SELECT * FROM __InstanceModificationEvent WITHIN 2 WHERE TargetInstance ISA 'Msvm_ComputerSystem').
 * Keywords are case-insensitive, as in WMI.
 */
grammar Wql;

options { caseInsensitive = true; }

statement
    : (selectQuery | associatorsQuery | referencesQuery) EOF
    ;

selectQuery
    : SELECT selectList FROM className=identifier (WITHIN within=NUMBER)? (WHERE expression)?
    ;

selectList
    : STAR                                   # selectAll
    | property (COMMA property)*             # selectProperties
    ;

associatorsQuery
    : ASSOCIATORS OF OBJECT_PATH (WHERE assocFilter+)?
    ;

referencesQuery
    : REFERENCES OF OBJECT_PATH (WHERE assocFilter+)?
    ;

assocFilter
    : ASSOCCLASS EQ identifier               # assocClassFilter
    | RESULTCLASS EQ identifier              # resultClassFilter
    | ROLE EQ identifier                     # roleFilter
    | RESULTROLE EQ identifier               # resultRoleFilter
    | CLASSDEFSONLY                          # classDefsOnlyFilter
    | KEYSONLY                               # keysOnlyFilter
    ;

// Alternatives listed first bind tighter: NOT, then AND, then OR.
expression
    : NOT expression                         # notExpression
    | expression AND expression              # andExpression
    | expression OR expression               # orExpression
    | LPAREN expression RPAREN               # parenExpression
    | predicate                              # predicateExpression
    ;

predicate
    : left=operand comparator right=operand  # comparisonPredicate
    | operand NOT? LIKE STRING               # likePredicate
    | operand IS NOT? NULL                   # isNullPredicate
    | operand ISA STRING                     # isaPredicate
    ;

operand
    : property                               # propertyOperand
    | literal                                # literalOperand
    ;

property
    : identifier (DOT identifier)?
    ;

literal
    : STRING                                 # stringLiteral
    | NUMBER                                 # numberLiteral
    | TRUE                                   # trueLiteral
    | FALSE                                  # falseLiteral
    | NULL                                   # nullLiteral
    ;

comparator
    : EQ | NE | LT | LE | GT | GE
    ;

// Keywords that may also name a property or class.
identifier
    : IDENTIFIER | ROLE | RESULTROLE | ASSOCCLASS | RESULTCLASS | KEYSONLY | CLASSDEFSONLY | OF
    ;

SELECT        : 'SELECT';
FROM          : 'FROM';
WHERE         : 'WHERE';
WITHIN        : 'WITHIN';
ASSOCIATORS   : 'ASSOCIATORS';
REFERENCES    : 'REFERENCES';
OF            : 'OF';
ASSOCCLASS    : 'ASSOCCLASS';
RESULTCLASS   : 'RESULTCLASS';
ROLE          : 'ROLE';
RESULTROLE    : 'RESULTROLE';
CLASSDEFSONLY : 'CLASSDEFSONLY';
KEYSONLY      : 'KEYSONLY';
AND           : 'AND';
OR            : 'OR';
NOT           : 'NOT';
LIKE          : 'LIKE';
IS            : 'IS';
ISA           : 'ISA';
NULL          : 'NULL';
TRUE          : 'TRUE';
FALSE         : 'FALSE';

EQ     : '=';
NE     : '<>' | '!=';
LE     : '<=';
GE     : '>=';
LT     : '<';
GT     : '>';
STAR   : '*';
COMMA  : ',';
DOT    : '.';
LPAREN : '(';
RPAREN : ')';

/** An object path between braces: {Msvm_ComputerSystem.CreationClassName="Msvm_ComputerSystem",Name="..."}. */
OBJECT_PATH : '{' ~[}]* '}';

/** Single- or double-quoted; a backslash escapes the next character. */
STRING
    : '\'' ( '\\' . | ~['\\] )* '\''
    | '"' ( '\\' . | ~["\\] )* '"'
    ;

NUMBER     : '-'? [0-9]+ ('.' [0-9]+)?;
IDENTIFIER : [a-z_] [a-z_0-9]*;
WS         : [ \t\r\n]+ -> skip;
