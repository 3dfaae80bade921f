package dev.parvis.root.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the root partition's own commands (run-guest, vm create|list); `parvis host` is in wmi-like-api. */
@Command(name = "parvis", mixinStandardHelpOptions = true, version = "Parvis 0.1.0",
        description = "A microkernelized partition hypervisor modeled on Hyper-V's root and child partitions.",
        subcommands = {RunGuestCommand.class, VmCommand.class})
public final class ParvisCommand implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /**
     * The command line {@link #main} executes: a failure inside a command is one line on stderr and
     * that command's documented exit code, not a stack trace and a generic 1.
     */
    public static CommandLine commandLine() {
        return withOneLineErrors(new CommandLine(new ParvisCommand()));
    }

    /** Makes a failure inside any of {@code cl}'s commands one line on stderr and that command's exit code. */
    public static CommandLine withOneLineErrors(CommandLine cl) {
        cl.setExecutionExceptionHandler((e, command, parseResult) -> {
            command.getErr().println(command.getCommandSpec().qualifiedName() + ": " + describe(e));
            return command.getCommandSpec().exitCodeOnExecutionException();
        });
        return cl;
    }

    private static String describe(Throwable e) {
        String text = e.getMessage() != null ? e.getMessage() : e.toString();
        return e.getCause() != null && e.getCause().getMessage() != null && !text.contains(e.getCause().getMessage())
                ? text + " (" + e.getCause().getMessage() + ")" : text;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
