/**
 * The shell's interpreter: sessions and scopes, statements and expressions, streaming pipelines
 * with early termination, command and script parameter binding, errors and their reporting, and
 * the budget that bounds a run (Ctrl-C, steps, call depth).
 */
package dev.parvis.shell.engine;
