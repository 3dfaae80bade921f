/**
 * The contract between the shell engine and its commands: a command's declaration (name,
 * parameters, help), its per-pipeline processor, bound parameters, and the context it runs in.
 */
package dev.parvis.shell.command;
