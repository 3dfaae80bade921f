package dev.parvis.shell.hyperv;

import dev.parvis.shell.command.BoundParameters;
import dev.parvis.shell.command.CommandContext;
import dev.parvis.shell.command.CommandDefinition;
import dev.parvis.shell.command.CommandProcessor;
import dev.parvis.shell.command.CommandSpec;
import dev.parvis.shell.command.ParameterKind;
import dev.parvis.shell.command.ParameterSpec;
import dev.parvis.shell.runtime.RuntimeError;
import dev.parvis.wmi.cim.CimInstance;
import dev.parvis.wmi.cim.CimValue;
import dev.parvis.wmi.cim.MethodResult;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * Start-VM, Stop-VM, Save-VM, Suspend-VM, Resume-VM and Restart-VM: a RequestStateChange on each
 * VM's Msvm_ComputerSystem, waited for with the job's progress. A VM already in the state asked for
 * gets a warning, as in Hyper-V.
 */
final class VmStateCommand implements CommandDefinition {
    private final CommandSpec spec;
    private final String verb;
    private final ToIntFunction<BoundParameters> requested;

    private VmStateCommand(CommandSpec spec, String verb, ToIntFunction<BoundParameters> requested) {
        this.spec = spec;
        this.verb = verb;
        this.requested = requested;
    }

    static List<CommandDefinition> all() {
        return List.of(
                new VmStateCommand(base("Start-VM", "Starts a virtual machine (restores a saved one).",
                        "Starts each VM; a Saved VM is restored from its saved state, a Paused one is resumed.")
                        .example("Start-VM -Name demo", "Starts the VM named demo.")
                        .example("Get-VM | Where-Object State -eq Off | Start-VM -AsJob", "Starts every VM that is off, in background jobs.")
                        .build(), "start", p -> 2),
                new VmStateCommand(base("Stop-VM", "Shuts down, turns off or saves a virtual machine.",
                        "Shuts the guest down through its shutdown integration service; -TurnOff pulls the power, -Save saves the VM's "
                                + "state. When the guest cannot shut down gracefully Stop-VM asks whether to turn it off; -Force does so "
                                + "without asking.")
                        .parameter(ParameterSpec.of("TurnOff", ParameterKind.SWITCH, "Turns the VM off at once (like pulling the power)."))
                        .parameter(ParameterSpec.of("Save", ParameterKind.SWITCH, "Saves the VM's state instead of shutting it down."))
                        .parameter(ParameterSpec.of("Force", ParameterKind.SWITCH, "Turns off a VM that cannot shut down gracefully without asking."))
                        .example("Stop-VM -Name demo -Force", "Shuts the VM named demo down.")
                        .example("Get-VM | Where-Object State -eq Running | Stop-VM -Save", "Saves every running VM.")
                        .build(), "stop", p -> p.flag("TurnOff") ? 3 : p.flag("Save") ? 6 : 4),
                new VmStateCommand(base("Save-VM", "Saves a virtual machine's state.",
                        "Saves the memory and device state of each running or paused VM to disk; the VM is then Saved and Start-VM restores it.")
                        .example("Save-VM -Name demo", "Saves the VM named demo.").build(), "save", p -> 6),
                new VmStateCommand(base("Suspend-VM", "Pauses a virtual machine.",
                        "Stops the virtual processors of each running VM; its memory stays. Resume-VM continues it.")
                        .example("Suspend-VM -Name demo", "Pauses the VM named demo.").build(), "pause", p -> 9),
                new VmStateCommand(base("Resume-VM", "Resumes a paused virtual machine.", "Continues each paused VM.")
                        .example("Resume-VM -Name demo", "Resumes the VM named demo.").build(), "resume", p -> 2),
                new VmStateCommand(base("Restart-VM", "Restarts a virtual machine.",
                        "Resets each VM: turns it off and starts it again. Asks for confirmation unless -Force.")
                        .parameter(ParameterSpec.of("Force", ParameterKind.SWITCH, "Restarts without asking for confirmation."))
                        .highImpact()
                        .example("Restart-VM -Name demo -Force", "Restarts the VM named demo.").build(), "restart", p -> 11));
    }

    private static CommandSpec.Builder base(String name, String synopsis, String description) {
        return CommandSpec.named(name).synopsis(synopsis).description(description).module(HyperVParameters.MODULE).changesState()
                .parameter(HyperVParameters.NAME).parameter(HyperVParameters.VM).parameter(HyperVParameters.COMPUTER)
                .parameter(HyperVParameters.CREDENTIAL).parameter(HyperVParameters.AS_JOB).parameter(HyperVParameters.PASSTHRU)
                .outputs(VmObjects.VM_TYPE);
    }

    @Override
    public CommandSpec spec() {
        return spec;
    }

    @Override
    public CommandProcessor create(BoundParameters parameters, CommandContext ctx) {
        return (input, p, out) -> {
            int code = requested.applyAsInt(p);
            for (VmTarget t : VmTarget.resolve(p, ctx)) {
                long now = t.system().integer("EnabledState").orElse(0L);
                if (alreadyThere(code, now)) {
                    ctx.writeWarning("The virtual machine '" + t.name() + "' is already in the specified state.");
                    continue;
                }
                if (!ctx.shouldProcess(t.name(), spec.name()) || code == 4 && !gracefulOrAllowed(t, p, ctx)) {
                    continue;
                }
                VmWork.run(ctx, p.flag("AsJob"), spec.name() + " " + t.name(), t.name(), t.host().computerName(), (progress, checkpoint, o) -> {
                    MethodResult r = t.host().invoke(t.system().path(), "RequestStateChange", Map.of("RequestedState", CimValue.of(code)));
                    try {
                        t.host().await(r, progress, checkpoint);
                    } catch (RuntimeError e) {
                        throw HyperVErrors.error("'" + t.name() + "' failed to " + verb + ": " + e.getMessage(), e.record().category(),
                                e.record().errorId());
                    }
                    if (p.flag("Passthru")) {
                        o.write(VmReader.one(t));
                    }
                }, out);
            }
        };
    }

    private static boolean alreadyThere(int code, long now) {
        return code == 2 && now == 2 || (code == 3 || code == 4) && now == 3 || code == 6 && now == 6 || code == 9 && now == 9;
    }

    /** A graceful stop needs the guest's shutdown service; without it, turning off needs -Force or a yes. */
    private static boolean gracefulOrAllowed(VmTarget t, BoundParameters p, CommandContext ctx) {
        if (p.flag("Force")) {
            return true;
        }
        List<CimInstance> shutdown = t.host().ofVm("Msvm_ShutdownComponent", t.guid());
        boolean ok = shutdown.stream().anyMatch(s -> s.value("OperationalStatus")
                .filter(v -> v instanceof CimValue.IntArray a && a.value().contains(2L)).isPresent());
        return ok || ctx.shouldContinue("The virtual machine '" + t.name() + "' cannot be shut down gracefully (its shutdown service is not "
                + "running). Turn it off instead?", "'" + t.name() + "' cannot be shut down gracefully: add -Force to turn it off, or use -TurnOff.");
    }
}
