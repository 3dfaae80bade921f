package dev.parvis.shell.command;

/** One example in a command's help: the code (runnable as written) and what it does. */
public record HelpExample(String code, String remarks) {
}
