package dev.parvis.shell.hyperv;

import dev.parvis.shell.command.BoundParameters;
import dev.parvis.shell.command.CommandContext;
import dev.parvis.shell.command.CommandDefinition;
import dev.parvis.shell.command.ParameterKind;
import dev.parvis.shell.command.ParameterSpec;
import dev.parvis.shell.command.Pipe;
import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.RuntimeError;
import dev.parvis.wmi.cim.CimInstance;
import dev.parvis.wmi.cim.CimValue;
import dev.parvis.wmi.cim.MethodResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Remove-VM, Set-VM, Get-/Set-VMProcessor and Get-/Set-VMMemory: the VM's settings read from its
 * setting data instances and changed with ModifySystemSettings / ModifyResourceSettings (edited
 * copies of what the host returned), or DestroySystem.
 */
final class VmSettingsCommands {
    private VmSettingsCommands() {
    }

    static List<CommandDefinition> all() {
        return List.of(removeVm(), setVm(), getProcessor(), setProcessor(), getMemory(), setMemory());
    }

    private static CommandDefinition removeVm() {
        return new PerVmCommand(PerVmCommand.base("Remove-VM", "Deletes a virtual machine.",
                        "Turns the VM off if it is running and deletes its configuration and saved state (not its virtual hard disks). "
                                + "Asks for confirmation unless -Force.")
                .parameter(ParameterSpec.of("Force", ParameterKind.SWITCH, "Deletes without asking."))
                .parameter(HyperVParameters.PASSTHRU)
                .highImpact()
                .example("New-VM -Name scratch | Out-Null; Remove-VM -Name scratch -Force", "Creates and deletes a VM.")
                .build(), (t, p, ctx, out) -> {
                    if (!ctx.shouldProcess(t.name(), "Remove-VM")) {
                        return;
                    }
                    long state = t.system().integer("EnabledState").orElse(3L);
                    if (state != 3 && state != 6 && state != 5) {
                        t.host().await(t.host().invoke(t.system().path(), "RequestStateChange", Map.of("RequestedState", CimValue.of(3))),
                                x -> { }, ctx::checkpoint);
                    }
                    PsOutput passthru = p.flag("Passthru") ? new PsOutput(VmReader.one(t)) : null;
                    MethodResult r = t.host().invoke(t.host().managementService(), "DestroySystem",
                            Map.of("AffectedSystem", new CimValue.Ref(t.system().path())));
                    t.host().await(r, x -> { }, ctx::checkpoint);
                    if (passthru != null) {
                        out.write(passthru.value());
                    }
                });
    }

    /** A value to output after the work (the object as it was before it went away). */
    private record PsOutput(Object value) {
    }

    private static CommandDefinition setVm() {
        return new PerVmCommand(PerVmCommand.base("Set-VM", "Changes a virtual machine's settings.",
                        "Changes the VM's name, notes, processor count, startup memory and automatic start and stop actions; settings "
                                + "not given stay. Processor and memory changes apply when the VM is off.")
                .parameter(ParameterSpec.of("NewVMName", ParameterKind.STRING, "A new name for the VM."))
                .parameter(ParameterSpec.of("Notes", ParameterKind.STRING, "Free text kept with the VM."))
                .parameter(ParameterSpec.of("ProcessorCount", ParameterKind.INT, "Virtual processors (1-64)."))
                .parameter(ParameterSpec.of("MemoryStartupBytes", ParameterKind.LONG, "Startup memory in bytes (e.g. 64MB)."))
                .parameter(ParameterSpec.of("AutomaticStartAction", ParameterKind.CHOICE, "What the VM does when the host starts.")
                        .choices("Nothing", "StartIfRunning", "Start"))
                .parameter(ParameterSpec.of("AutomaticStopAction", ParameterKind.CHOICE, "What the VM does when the host stops.")
                        .choices("TurnOff", "Save", "ShutDown"))
                .parameter(HyperVParameters.PASSTHRU)
                .changesState()
                .example("Set-VM -Name demo -Notes 'web front end' -AutomaticStopAction Save", "Sets the notes and the stop action.")
                .build(), (t, p, ctx, out) -> {
                    if (!ctx.shouldProcess(t.name(), "Set-VM")) {
                        return;
                    }
                    modifySystem(t, p, ctx);
                    List<CimInstance> resources = new ArrayList<>();
                    if (p.has("ProcessorCount")) {
                        resources.add(edit(VmReader.settings(t, "Msvm_ProcessorSettingData", "Processor"), Map.of("VirtualQuantity",
                                CimValue.of(p.integer("ProcessorCount", 1)))));
                    }
                    if (p.has("MemoryStartupBytes")) {
                        resources.add(edit(VmReader.settings(t, "Msvm_MemorySettingData", "Memory"), Map.of("VirtualQuantity",
                                CimValue.of(NewVM.megabytes(p.longValue("MemoryStartupBytes", 0))))));
                    }
                    modifyResources(t, resources, ctx);
                    passthru(t, p, out);
                });
    }

    private static void modifySystem(VmTarget t, BoundParameters p, CommandContext ctx) {
        Map<String, CimValue> changes = new java.util.LinkedHashMap<>();
        if (p.has("NewVMName")) {
            changes.put("ElementName", CimValue.of(p.string("NewVMName")));
        }
        if (p.has("Notes")) {
            changes.put("Notes", new CimValue.TextArray(p.string("Notes").isEmpty() ? List.of() : List.of(p.string("Notes"))));
        }
        if (p.has("AutomaticStartAction")) {
            changes.put("AutomaticStartupAction", CimValue.of(switch (p.string("AutomaticStartAction")) {
                case "StartIfRunning" -> 3;
                case "Start" -> 4;
                default -> 2;
            }));
        }
        if (p.has("AutomaticStopAction")) {
            changes.put("AutomaticShutdownAction", CimValue.of(switch (p.string("AutomaticStopAction")) {
                case "TurnOff" -> 2;
                case "ShutDown" -> 4;
                default -> 3;
            }));
        }
        if (!changes.isEmpty()) {
            modifySystemSettings(t, changes, ctx);
        }
    }

    static void modifySystemSettings(VmTarget t, Map<String, CimValue> changes, CommandContext ctx) {
        CimInstance vssd = edit(VmReader.settings(t, "Msvm_VirtualSystemSettingData", null), changes);
        MethodResult r = t.host().invoke(t.host().managementService(), "ModifySystemSettings",
                Map.of("SystemSettings", new CimValue.Instances(List.of(vssd))));
        t.host().await(r, x -> { }, ctx::checkpoint);
    }

    private static void modifyResources(VmTarget t, List<CimInstance> resources, CommandContext ctx) {
        if (resources.isEmpty()) {
            return;
        }
        MethodResult r = t.host().invoke(t.host().managementService(), "ModifyResourceSettings",
                Map.of("ResourceSettings", new CimValue.Instances(resources)));
        t.host().await(r, x -> { }, ctx::checkpoint);
    }

    /** {@code original} with {@code changes} applied: what the host returned, edited and sent back. */
    static CimInstance edit(CimInstance original, Map<String, CimValue> changes) {
        if (original == null) {
            throw HyperVErrors.error("The host did not return the VM's settings.", ErrorCategory.OBJECT_NOT_FOUND, "NoSettings");
        }
        Map<String, CimValue> props = new java.util.LinkedHashMap<>(original.properties());
        props.putAll(changes);
        return new CimInstance(original.path(), props);
    }

    private static void passthru(VmTarget t, BoundParameters p, Pipe out) {
        if (p.flag("Passthru")) {
            out.write(VmReader.one(t));
        }
    }

    private static CommandDefinition getProcessor() {
        return new PerVmCommand(PerVmCommand.base("Get-VMProcessor", "Gets a virtual machine's processor settings.",
                        "Outputs a VMProcessor per VM: Count, Reserve and Maximum (percent of one logical processor), RelativeWeight.")
                .example("Get-VMProcessor -VMName demo", "The processor settings of the VM named demo.")
                .outputs(VmObjects.PROCESSOR_TYPE)
                .build(), (t, p, ctx, out) -> out.write(VmObjects.processor(t.host().computerName(), t.name(),
                        VmReader.settings(t, "Msvm_ProcessorSettingData", "Processor"))));
    }

    private static CommandDefinition setProcessor() {
        return new PerVmCommand(PerVmCommand.base("Set-VMProcessor", "Changes a virtual machine's processor settings.",
                        "Sets the number of virtual processors (-Count, when the VM is off), the reserve and maximum in percent of one "
                                + "logical processor (0-100; maximum 100 means no cap) and the relative weight (1-10000).")
                .parameter(ParameterSpec.of("Count", ParameterKind.INT, "Virtual processors (1-64)."))
                .parameter(ParameterSpec.of("Reserve", ParameterKind.INT, "Guaranteed share in percent (0-100)."))
                .parameter(ParameterSpec.of("Maximum", ParameterKind.INT, "Cap in percent (1-100; 100 means none)."))
                .parameter(ParameterSpec.of("RelativeWeight", ParameterKind.INT, "Weight against other VMs (1-10000; default 100)."))
                .parameter(HyperVParameters.PASSTHRU)
                .changesState()
                .example("Set-VMProcessor -VMName demo -Maximum 50 -RelativeWeight 200", "Caps demo at half a processor and doubles its weight.")
                .build(), (t, p, ctx, out) -> {
                    if (!ctx.shouldProcess(t.name(), "Set-VMProcessor")) {
                        return;
                    }
                    Map<String, CimValue> changes = new java.util.LinkedHashMap<>();
                    if (p.has("Count")) {
                        changes.put("VirtualQuantity", CimValue.of(p.integer("Count", 1)));
                    }
                    if (p.has("Reserve")) {
                        changes.put("Reservation", CimValue.of(percent(p.integer("Reserve", 0), "Reserve", 0) * 1000L));
                    }
                    if (p.has("Maximum")) {
                        int max = percent(p.integer("Maximum", 100), "Maximum", 1);
                        changes.put("Limit", CimValue.of(max == 100 ? 0L : max * 1000L));
                    }
                    if (p.has("RelativeWeight")) {
                        changes.put("Weight", CimValue.of(p.integer("RelativeWeight", 100)));
                    }
                    modifyResources(t, List.of(edit(VmReader.settings(t, "Msvm_ProcessorSettingData", "Processor"), changes)), ctx);
                    if (p.flag("Passthru")) {
                        out.write(VmObjects.processor(t.host().computerName(), t.name(), VmReader.settings(t, "Msvm_ProcessorSettingData", "Processor")));
                    }
                });
    }

    private static int percent(int v, String name, int min) {
        if (v < min || v > 100) {
            throw new RuntimeError("-" + name + " must be between " + min + " and 100: " + v, ErrorCategory.INVALID_ARGUMENT, "OutOfRange");
        }
        return v;
    }

    private static CommandDefinition getMemory() {
        return new PerVmCommand(PerVmCommand.base("Get-VMMemory", "Gets a virtual machine's memory settings.",
                        "Outputs a VMMemory per VM: Startup, Minimum and Maximum in bytes (Parvis VMs have static memory, so the three are equal).")
                .example("Get-VMMemory -VMName demo", "The memory settings of the VM named demo.")
                .outputs(VmObjects.MEMORY_TYPE)
                .build(), (t, p, ctx, out) -> out.write(VmObjects.memory(t.host().computerName(), t.name(),
                        VmReader.settings(t, "Msvm_MemorySettingData", "Memory"))));
    }

    private static CommandDefinition setMemory() {
        return new PerVmCommand(PerVmCommand.base("Set-VMMemory", "Changes a virtual machine's memory.",
                        "Sets the startup memory (-StartupBytes, when the VM is off). Dynamic memory is not available: "
                                + "-DynamicMemoryEnabled $true is refused.")
                .parameter(ParameterSpec.of("StartupBytes", ParameterKind.LONG, "Startup memory in bytes (e.g. 64MB)."))
                .parameter(ParameterSpec.of("DynamicMemoryEnabled", ParameterKind.BOOL, "Must be $false: Parvis VMs have static memory."))
                .parameter(HyperVParameters.PASSTHRU)
                .changesState()
                .example("Set-VMMemory -VMName demo -StartupBytes 32MB", "Gives demo 32 MiB from its next start.")
                .build(), (t, p, ctx, out) -> {
                    if (p.flag("DynamicMemoryEnabled")) {
                        throw HyperVErrors.error("Dynamic memory is not supported: Parvis VMs have static memory.", ErrorCategory.NOT_IMPLEMENTED,
                                "DynamicMemoryNotSupported");
                    }
                    if (!ctx.shouldProcess(t.name(), "Set-VMMemory")) {
                        return;
                    }
                    if (p.has("StartupBytes")) {
                        modifyResources(t, List.of(edit(VmReader.settings(t, "Msvm_MemorySettingData", "Memory"),
                                Map.of("VirtualQuantity", CimValue.of(NewVM.megabytes(p.longValue("StartupBytes", 0)))))), ctx);
                    }
                    if (p.flag("Passthru")) {
                        out.write(VmObjects.memory(t.host().computerName(), t.name(), VmReader.settings(t, "Msvm_MemorySettingData", "Memory")));
                    }
                });
    }
}
