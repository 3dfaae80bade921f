package dev.parvis.shell.hyperv;

import dev.parvis.shell.command.BoundParameters;
import dev.parvis.shell.command.CommandContext;
import dev.parvis.shell.command.CommandDefinition;
import dev.parvis.shell.command.CommandProcessor;
import dev.parvis.shell.command.CommandSpec;
import dev.parvis.shell.command.ParameterKind;
import dev.parvis.shell.command.ParameterSpec;
import dev.parvis.shell.runtime.Wildcard;
import dev.parvis.wmi.cim.CimInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Get-VM: the virtual machines of the host(s), as VirtualMachine objects, streamed one by one (a
 * Select-Object -First 1 after it stops it). Shown as Hyper-V's table: Name, State, CPUUsage(%),
 * MemoryAssigned(M), Uptime, Status, Version.
 */
final class GetVM implements CommandDefinition {
    private static final CommandSpec SPEC = CommandSpec.named("Get-VM")
            .synopsis("Gets the virtual machines of a host.")
            .description("Outputs a VirtualMachine object per VM (all of them, or those whose name matches -Name, wildcards "
                    + "allowed; or the one with -Id) on the local host or each -ComputerName. Properties include Name, State, "
                    + "CPUUsage, MemoryAssigned, Uptime, Status, Version, Id, ProcessorCount, MemoryStartup, Heartbeat, Notes.")
            .parameter(ParameterSpec.of("Name", ParameterKind.STRING_ARRAY, "The name(s) of the virtual machine(s); wildcards allowed.")
                    .at(0).alias("VMName").completes(dev.parvis.shell.command.ArgumentCompletions.VM_NAMES))
            .parameter(ParameterSpec.of("Id", ParameterKind.STRING, "The VM's identifier (a GUID)."))
            .parameter(HyperVParameters.COMPUTER)
            .parameter(HyperVParameters.CREDENTIAL)
            .example("Get-VM", "Lists every VM of the host as a table.")
            .example("Get-VM | Where-Object State -eq Running | Select-Object Name, Uptime", "Running VMs and how long they have run.")
            .example("Get-VM -Name demo | Format-List Name, State, ProcessorCount, MemoryStartup, Heartbeat", "One VM in detail.")
            .module(HyperVParameters.MODULE)
            .outputs(VmObjects.VM_TYPE)
            .build();

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    public CommandProcessor create(BoundParameters p, CommandContext ctx) {
        return (input, record, out) -> {
            List<String> names = p.strings("Name");
            String id = p.string("Id");
            for (VirtualizationHost host : VmTarget.hosts(p, ctx)) {
                List<CimInstance> vms = host.virtualMachines();
                List<CimInstance> chosen = new ArrayList<>();
                for (CimInstance vm : vms) {
                    String name = vm.text("ElementName").orElse("");
                    boolean byName = names.isEmpty() || names.stream().anyMatch(n -> Wildcard.matches(n, name, false));
                    boolean byId = id == null || vm.text("Name").orElse("").equalsIgnoreCase(id.trim());
                    if (byName && byId) {
                        chosen.add(vm);
                    }
                }
                for (String n : names) {
                    if (!Wildcard.hasWildcards(n) && vms.stream().noneMatch(v -> v.text("ElementName").orElse("").equalsIgnoreCase(n))) {
                        ctx.writeError(HyperVErrors.vmNotFound(n).record());
                    }
                }
                if (id != null && chosen.isEmpty()) {
                    ctx.writeError(HyperVErrors.error("Hyper-V was unable to find a virtual machine with id \"" + id.toLowerCase(Locale.ROOT) + "\".",
                            dev.parvis.shell.runtime.ErrorCategory.INVALID_ARGUMENT, "InvalidParameter").record());
                }
                VmReader.all(host, chosen, out::write);
            }
        };
    }
}
