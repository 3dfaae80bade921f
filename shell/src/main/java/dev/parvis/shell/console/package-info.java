/** The shell's front ends: the interactive JLine prompt (history, completion, Ctrl-C) and -File / -Command runs. */
package dev.parvis.shell.console;
