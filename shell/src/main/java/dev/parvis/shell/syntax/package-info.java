/**
 * The shell language's syntax tree: source positions, statements, pipelines, commands and
 * expressions as records, built from the ANTLR parse tree by {@link dev.parvis.shell.syntax.ScriptParser}.
 */
package dev.parvis.shell.syntax;
