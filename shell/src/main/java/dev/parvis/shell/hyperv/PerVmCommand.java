package dev.parvis.shell.hyperv;

import dev.parvis.shell.command.BoundParameters;
import dev.parvis.shell.command.CommandContext;
import dev.parvis.shell.command.CommandDefinition;
import dev.parvis.shell.command.CommandProcessor;
import dev.parvis.shell.command.CommandSpec;
import dev.parvis.shell.command.Pipe;
import dev.parvis.shell.runtime.RuntimeError;

/**
 * A Hyper-V command that does one thing to each VM it names (-Name, -VM objects, -ComputerName):
 * its spec and the action. An action's failure on one VM is a non-terminating error; the others go on.
 */
record PerVmCommand(CommandSpec spec, Action action) implements CommandDefinition {
    interface Action {
        void apply(VmTarget vm, BoundParameters p, CommandContext ctx, Pipe out);
    }

    @Override
    public CommandProcessor create(BoundParameters parameters, CommandContext ctx) {
        return (input, p, out) -> {
            for (VmTarget t : VmTarget.resolve(p, ctx)) {
                try {
                    action.apply(t, p, ctx, out);
                } catch (RuntimeError e) {
                    if (e instanceof dev.parvis.shell.runtime.ScriptTerminatingError) {
                        throw e;
                    }
                    ctx.writeError(e.record());
                }
            }
        };
    }

    /** The common start of these commands' specs: -Name, -VM, -ComputerName, -Credential. */
    static CommandSpec.Builder base(String name, String synopsis, String description) {
        return CommandSpec.named(name).synopsis(synopsis).description(description).module(HyperVParameters.MODULE)
                .parameter(HyperVParameters.NAME).parameter(HyperVParameters.VM).parameter(HyperVParameters.COMPUTER)
                .parameter(HyperVParameters.CREDENTIAL);
    }
}
