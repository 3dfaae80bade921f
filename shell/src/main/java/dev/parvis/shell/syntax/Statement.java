package dev.parvis.shell.syntax;

import java.util.List;

/** A statement of the language. */
public sealed interface Statement {
    SourceSpan span();

    /** {@code cmd1 | cmd2 | ...}; the first element may be an expression. */
    record Pipeline(SourceSpan span, List<PipelineElement> elements) implements Statement {
        public Pipeline {
            elements = List.copyOf(elements);
        }
    }

    /** {@code target = value}, {@code target += value}; {@code operator} is null for plain '='. */
    record Assignment(SourceSpan span, Expression target, BinaryOperator operator, Statement value) implements Statement {
    }

    record If(SourceSpan span, List<Clause> clauses, Block elseBlock) implements Statement {
        public If {
            clauses = List.copyOf(clauses);
        }
    }

    record Clause(Statement condition, Block body) {
    }

    record Foreach(SourceSpan span, VariablePath variable, Statement source, Block body) implements Statement {
    }

    /** {@code for (init; condition; step) body}; each part may be null. */
    record For(SourceSpan span, Statement init, Statement condition, Statement step, Block body) implements Statement {
    }

    record While(SourceSpan span, Statement condition, Block body) implements Statement {
    }

    /** {@code do { } while (c)} or {@code do { } until (c)}. */
    record Do(SourceSpan span, Block body, boolean until, Statement condition) implements Statement {
    }

    record FunctionDefinition(SourceSpan span, String name, boolean filter, ScriptBlockAst body) implements Statement {
    }

    record Try(SourceSpan span, Block body, List<Catch> catches, Block finallyBlock) implements Statement {
        public Try {
            catches = List.copyOf(catches);
        }
    }

    /** A catch clause; {@code types} empty catches everything. */
    record Catch(List<TypeName> types, Block body) {
        public Catch {
            types = List.copyOf(types);
        }
    }

    record Break(SourceSpan span) implements Statement {
    }

    record Continue(SourceSpan span) implements Statement {
    }

    /** {@code return [pipeline]}; the pipeline may be null. */
    record Return(SourceSpan span, Statement value) implements Statement {
    }

    /** {@code exit [code]}; the code may be null. */
    record Exit(SourceSpan span, Expression code) implements Statement {
    }

    /** {@code throw [pipeline]}; the pipeline may be null (rethrow in a catch block). */
    record Throw(SourceSpan span, Statement value) implements Statement {
    }

    /** {@code { statements }} */
    record Block(SourceSpan span, List<Statement> statements) {
        public Block {
            statements = List.copyOf(statements);
        }
    }
}
