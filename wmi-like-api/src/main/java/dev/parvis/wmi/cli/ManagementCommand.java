package dev.parvis.wmi.cli;

import dev.parvis.root.cli.ParvisCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the management commands: the host with its API, users, and VM commands as API clients. */
@Command(name = "parvis", mixinStandardHelpOptions = true, version = "Parvis 0.1.0",
        description = "The Parvis host and its management API.",
        subcommands = {HostCommand.class, UserCommand.class, VmClientCommand.class})
public final class ManagementCommand implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(ParvisCommand.withOneLineErrors(new CommandLine(new ManagementCommand())).execute(args));
    }
}
