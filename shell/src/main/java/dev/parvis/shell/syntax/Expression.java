package dev.parvis.shell.syntax;

import java.util.List;

/** An expression of the language; every node knows where it is in the source. */
public sealed interface Expression {
    SourceSpan span();

    /** A literal value: a number, a string without expansion, a bare word argument. */
    record Constant(SourceSpan span, Object value, boolean bareWord) implements Expression {
    }

    /** A "double-quoted" string or @" here-string "@ with $variables and $(sub-expressions). */
    record ExpandableString(SourceSpan span, List<StringPart> parts) implements Expression {
        public ExpandableString {
            parts = List.copyOf(parts);
        }
    }

    /** One piece of an expandable string. */
    sealed interface StringPart {
        record Text(String text) implements StringPart {
        }

        record Variable(VariablePath path, SourceSpan span) implements StringPart {
        }

        record SubExpression(List<Statement> statements, SourceSpan span) implements StringPart {
        }
    }

    record VariableExpression(SourceSpan span, VariablePath path) implements Expression {
    }

    /** {@code a, b, c} */
    record ArrayLiteral(SourceSpan span, List<Expression> elements) implements Expression {
        public ArrayLiteral {
            elements = List.copyOf(elements);
        }
    }

    /** {@code from..to} */
    record Range(SourceSpan span, Expression from, Expression to) implements Expression {
    }

    record Binary(SourceSpan span, BinaryOperator operator, Expression left, Expression right) implements Expression {
    }

    record Unary(SourceSpan span, UnaryOperator operator, Expression operand) implements Expression {
    }

    /** {@code ++$x}, {@code $x--}: the target changes by {@code delta}; the value is before (postfix) or after (prefix). */
    record Increment(SourceSpan span, Expression target, int delta, boolean prefix) implements Expression {
    }

    /** {@code [int]$x} */
    record Cast(SourceSpan span, TypeName type, Expression operand) implements Expression {
    }

    /** {@code [math]} on its own (for static members). */
    record TypeExpression(SourceSpan span, TypeName type) implements Expression {
    }

    /** {@code $x.Name}, {@code [int]::MaxValue}; the member name is a constant or computed ({@code $x.$p}). */
    record Member(SourceSpan span, Expression target, Expression name, boolean isStatic) implements Expression {
    }

    /** {@code $x.Trim()}, {@code [math]::Round($a, 2)} */
    record InvokeMember(SourceSpan span, Expression target, Expression name, boolean isStatic, List<Expression> arguments)
            implements Expression {
        public InvokeMember {
            arguments = List.copyOf(arguments);
        }
    }

    /** {@code $a[0]}, {@code $h['key']} */
    record Index(SourceSpan span, Expression target, Expression index) implements Expression {
    }

    /** {@code (pipeline)} and {@code ($x = 1)}: the value of one statement. */
    record Paren(SourceSpan span, Statement statement) implements Expression {
    }

    /** {@code $(statements)} */
    record SubExpression(SourceSpan span, List<Statement> statements) implements Expression {
        public SubExpression {
            statements = List.copyOf(statements);
        }
    }

    /** {@code @(statements)}: always an array. */
    record ArrayExpression(SourceSpan span, List<Statement> statements) implements Expression {
        public ArrayExpression {
            statements = List.copyOf(statements);
        }
    }

    /** {@code @{ key = value; ... }} */
    record HashLiteral(SourceSpan span, List<HashEntry> entries) implements Expression {
        public HashLiteral {
            entries = List.copyOf(entries);
        }
    }

    record HashEntry(Expression key, Statement value) {
    }

    /** {@code { ... }} */
    record ScriptBlockExpression(SourceSpan span, ScriptBlockAst body) implements Expression {
    }
}
