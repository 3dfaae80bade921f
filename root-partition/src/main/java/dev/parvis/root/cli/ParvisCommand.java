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

    public static void main(String[] args) {
        int code = new CommandLine(new ParvisCommand()).execute(args);
        System.exit(code);
    }
}
