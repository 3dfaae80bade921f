package dev.parvis.shell.hyperv;

import dev.parvis.shell.command.BoundParameters;
import dev.parvis.shell.command.CommandContext;
import dev.parvis.shell.command.CommandDefinition;
import dev.parvis.shell.command.ParameterKind;
import dev.parvis.shell.command.ParameterSpec;
import dev.parvis.shell.command.PipelineInput;
import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.PSObject;
import dev.parvis.shell.runtime.RuntimeError;
import dev.parvis.shell.runtime.Wildcard;
import dev.parvis.wmi.cim.CimInstance;
import dev.parvis.wmi.cim.CimValue;
import dev.parvis.wmi.cim.MethodResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Get-/Enable-/Disable-VMIntegrationService, Copy-VMFile and Measure-VM: the integration
 * components of a VM (Msvm_*Component and the VSSD's list of enabled services), the guest file
 * service, and the VM's metric values.
 */
final class GuestCommands {
    static final String IC_TYPE = "Microsoft.HyperV.PowerShell.VMIntegrationComponent";
    static final String METERING_TYPE = "Microsoft.HyperV.PowerShell.VMMeteringReportForVirtualMachine";
    /** Hyper-V's service names and the component classes that report their status. */
    private static final Map<String, String> SERVICES = new java.util.LinkedHashMap<>();

    static {
        SERVICES.put("Guest Service Interface", "Msvm_GuestServiceInterfaceComponent");
        SERVICES.put("Heartbeat", "Msvm_HeartbeatComponent");
        SERVICES.put("Key-Value Pair Exchange", "Msvm_KvpExchangeComponent");
        SERVICES.put("Shutdown", "Msvm_ShutdownComponent");
        SERVICES.put("Time Synchronization", "Msvm_TimeSyncComponent");
    }

    private static final ParameterSpec IC_NAME = ParameterSpec.of("Name", ParameterKind.STRING_ARRAY,
            "Service names (Heartbeat, Shutdown, Time Synchronization, Key-Value Pair Exchange, Guest Service Interface); wildcards allowed.")
            .at(1);
    private static final ParameterSpec VM_NAME = ParameterSpec.of("VMName", ParameterKind.STRING_ARRAY, "The virtual machine(s).").at(0)
            .fromPipeline(PipelineInput.BY_PROPERTY_NAME).completes(dev.parvis.shell.command.ArgumentCompletions.VM_NAMES);

    private GuestCommands() {
    }

    static List<CommandDefinition> all() {
        return List.of(getIc(), setIc("Enable-VMIntegrationService", true), setIc("Disable-VMIntegrationService", false), copyFile(), measure());
    }

    /** These commands name VMs with -VMName (Hyper-V's spelling for them); the VM targets read it as -Name. */
    private static dev.parvis.shell.command.CommandSpec.Builder icBase(String name, String synopsis, String description) {
        return dev.parvis.shell.command.CommandSpec.named(name).synopsis(synopsis).description(description).module(HyperVParameters.MODULE)
                .parameter(VM_NAME).parameter(HyperVParameters.VM).parameter(IC_NAME).parameter(HyperVParameters.COMPUTER)
                .parameter(HyperVParameters.CREDENTIAL);
    }

    private static BoundParameters vmNames(BoundParameters p) {
        if (!p.has("VMName")) {
            return p.with(Map.of("Name", List.of()));
        }
        Object names = p.get("VMName");
        if (names == null) {
            // 'Enable-VMIntegrationService $x.y' with no such property
            throw RuntimeError.of("ParameterBindingException",
                    "Cannot bind argument to parameter 'VMName' because it is null.", ErrorCategory.INVALID_DATA,
                    "ParameterArgumentValidationErrorNullNotAllowed", null);
        }
        return p.with(Map.of("Name", names));
    }

    private static CommandDefinition getIc() {
        return new IcCommand(icBase("Get-VMIntegrationService", "Gets a virtual machine's integration services.",
                        "Outputs a VMIntegrationComponent per service: VMName, Name, Enabled, PrimaryStatusDescription (OK, No "
                                + "Contact, Lost Communication) and SecondaryStatusDescription.")
                .example("Get-VMIntegrationService -VMName demo", "The five services of demo and their status.")
                .outputs(IC_TYPE).build(), (t, p, ctx, out) -> services(t, p).forEach(out::write));
    }

    private static List<PSObject> services(VmTarget t, BoundParameters p) {
        CimInstance vssd = VmReader.settings(t, "Msvm_VirtualSystemSettingData", null);
        List<String> enabled = vssd == null ? List.of() : vssd.value("IntegrationServices")
                .filter(v -> v instanceof CimValue.TextArray).map(v -> ((CimValue.TextArray) v).value()).orElse(List.of());
        List<String> wanted = p.strings("Name");
        List<PSObject> out = new ArrayList<>();
        for (Map.Entry<String, String> s : SERVICES.entrySet()) {
            if (!wanted.isEmpty() && wanted.stream().noneMatch(w -> Wildcard.matches(w, s.getKey(), false))) {
                continue;
            }
            boolean on = enabled.stream().anyMatch(e -> e.equalsIgnoreCase(s.getKey()));
            Optional<CimInstance> c = t.host().ofVm(s.getValue(), t.guid()).stream().findFirst();
            String primary = !on ? "" : c.flatMap(i -> i.value("StatusDescriptions")).filter(v -> v instanceof CimValue.TextArray a && !a.value().isEmpty())
                    .map(v -> ((CimValue.TextArray) v).value().get(0)).orElse("No Contact");
            String secondary = primary.startsWith("Degraded: ") ? primary.substring(10) : "";
            out.add(PSObject.of(IC_TYPE, s.getKey()).add("VMName", t.name()).add("Name", s.getKey()).add("Enabled", on)
                    .add("PrimaryStatusDescription", primary.startsWith("Degraded") ? "Degraded" : primary)
                    .add("SecondaryStatusDescription", secondary).add("ComputerName", t.host().computerName()));
        }
        return out;
    }

    private static CommandDefinition setIc(String name, boolean enable) {
        return new IcCommand(icBase(name, (enable ? "Enables" : "Disables") + " integration services of a virtual machine.",
                        (enable ? "Turns on" : "Turns off") + " the named services (all five when no -Name) in the VM's settings; "
                                + "the VM must be off.")
                .parameter(HyperVParameters.PASSTHRU)
                .changesState()
                .example(name + " -VMName demo -Name 'Time Synchronization'", (enable ? "Enables" : "Disables") + " time synchronization for demo.")
                .build(), (t, p, ctx, out) -> {
                    List<String> now = new ArrayList<>();
                    services(t, BoundParameters.empty()).stream().filter(o -> (Boolean) o.get("Enabled")).forEach(o -> now.add((String) o.get("Name")));
                    List<String> wanted = p.strings("Name");
                    List<String> chosen = SERVICES.keySet().stream()
                            .filter(s -> wanted.isEmpty() || wanted.stream().anyMatch(w -> Wildcard.matches(w, s, false))).toList();
                    if (chosen.isEmpty()) {
                        ctx.writeError("No integration service matches " + wanted + ".", dev.parvis.shell.runtime.ErrorCategory.OBJECT_NOT_FOUND,
                                "NoSuchService", String.join(",", wanted));
                        return;
                    }
                    List<String> next = new ArrayList<>(now.stream().filter(s -> enable || !chosen.contains(s)).toList());
                    if (enable) {
                        chosen.stream().filter(s -> !next.contains(s)).forEach(next::add);
                    }
                    if (!ctx.shouldProcess(t.name(), name) || next.equals(now)) {
                        return;
                    }
                    VmSettingsCommands.modifySystemSettings(t, Map.of("IntegrationServices", new CimValue.TextArray(next)), ctx);
                    if (p.flag("Passthru")) {
                        services(t, p).forEach(out::write);
                    }
                });
    }

    /** A per-VM command whose VMs are named by -VMName (its -Name names services). */
    private record IcCommand(dev.parvis.shell.command.CommandSpec spec, PerVmCommand.Action action) implements CommandDefinition {
        @Override
        public dev.parvis.shell.command.CommandProcessor create(BoundParameters parameters, CommandContext ctx) {
            return (input, p, out) -> {
                for (VmTarget t : VmTarget.resolve(vmNames(p), ctx)) {
                    try {
                        action.apply(t, p, ctx, out);
                    } catch (dev.parvis.shell.runtime.RuntimeError e) {
                        if (e instanceof dev.parvis.shell.runtime.ScriptTerminatingError) {
                            throw e;
                        }
                        ctx.writeError(e.record());
                    }
                }
            };
        }
    }

    private static CommandDefinition copyFile() {
        return new PerVmCommand(PerVmCommand.base("Copy-VMFile", "Copies a file from the host into a virtual machine.",
                        "Copies -SourcePath (a file in the host's storage directory) to -DestinationPath in the running guest through "
                                + "the guest service interface. -FileSource must be Host.")
                .parameter(ParameterSpec.of("SourcePath", ParameterKind.STRING, "The file on the host.").required().completes(ParameterSpec.COMPLETE_PATH))
                .parameter(ParameterSpec.of("DestinationPath", ParameterKind.STRING, "Where the file goes in the guest.").required())
                .parameter(ParameterSpec.of("FileSource", ParameterKind.CHOICE, "Where the file comes from: Host.").choices("Host").required())
                .parameter(ParameterSpec.of("CreateFullPath", ParameterKind.SWITCH, "Creates missing directories in the guest (the guest daemon always does)."))
                .parameter(ParameterSpec.of("Force", ParameterKind.SWITCH, "Overwrites an existing file in the guest (the guest daemon always does)."))
                .parameter(HyperVParameters.AS_JOB)
                .changesState()
                .example("Copy-VMFile -Name demo -SourcePath notes.txt -DestinationPath /notes.txt -FileSource Host",
                        "Copies notes.txt from the host's storage directory into demo.")
                .build(), (t, p, ctx, out) -> {
                    if (!ctx.shouldProcess(t.name(), "Copy-VMFile")) {
                        return;
                    }
                    CimInstance copy = CimInstance.builder("Msvm_CopyFileToGuestSettingData").set("SourcePath", p.string("SourcePath"))
                            .set("DestinationPath", p.string("DestinationPath")).build();
                    CimInstance service = t.host().ofVm("Msvm_GuestFileService", t.guid()).stream().findFirst()
                            .orElseThrow(() -> HyperVErrors.error("'" + t.name() + "' has no guest file service (the guest service interface is off).",
                                    dev.parvis.shell.runtime.ErrorCategory.INVALID_OPERATION, "NoGuestService"));
                    VmWork.run(ctx, p.flag("AsJob"), "Copy-VMFile " + t.name(), t.name(), t.host().computerName(), (progress, checkpoint, o) -> {
                        MethodResult r = t.host().invoke(service.path(), "CopyFilesToGuest",
                                Map.of("CopyFileToGuestSettings", new CimValue.Instances(List.of(copy))));
                        t.host().await(r, progress, checkpoint);
                    }, out);
                });
    }

    private static CommandDefinition measure() {
        return new PerVmCommand(PerVmCommand.base("Measure-VM", "Reports a virtual machine's resource use.",
                        "Outputs a metering report per VM from the host's metrics since the VM last started: AvgCPU (percent of its "
                                + "processors), AvgRAM/MinRAM/MaxRAM (MB assigned), TotalDisk and network traffic (MB), plus Hypercalls, "
                                + "VMBus bytes and MeteringDuration. Metering is always on.")
                .example("Get-VM | Measure-VM | Sort-Object AvgCPU -Descending", "Every VM's use, busiest first.")
                .outputs(METERING_TYPE)
                .build(), (t, p, ctx, out) -> out.write(report(t)));
    }

    private static PSObject report(VmTarget t) {
        Map<String, Long> m = new java.util.HashMap<>();
        for (CimInstance i : t.host().ofVm("Msvm_AggregationMetricValue", t.guid())) {
            i.text("ElementName").ifPresent(n -> m.put(n, i.text("MetricValue").map(Long::parseLong).orElse(0L)));
        }
        long uptime = m.getOrDefault("UptimeMilliseconds", 0L);
        long cpu = m.getOrDefault("CpuTimeMilliseconds", 0L);
        int vcpus = Optional.ofNullable(VmReader.settings(t, "Msvm_ProcessorSettingData", "Processor"))
                .flatMap(x -> x.integer("VirtualQuantity")).map(Long::intValue).orElse(1);
        long ramMb = m.getOrDefault("MemoryAssignedBytes", 0L) >> 20;
        return PSObject.of(METERING_TYPE, "VMMeteringReportForVirtualMachine (VMName = '" + t.name() + "')")
                .add("VMName", t.name())
                .add("AvgCPU", uptime == 0 ? 0L : Math.min(100L, cpu * 100 / (uptime * vcpus)))
                .add("AvgRAM", ramMb).add("MinRAM", ramMb).add("MaxRAM", ramMb)
                .add("TotalDisk", m.getOrDefault("DiskBytes", 0L) >> 20)
                .add("NetworkInbound", m.getOrDefault("NetworkBytes", 0L) >> 20)
                .add("NetworkOutbound", 0L)
                .add("Hypercalls", m.getOrDefault("Hypercalls", 0L))
                .add("VmbusBytesIn", m.getOrDefault("VmbusBytesIn", 0L))
                .add("VmbusBytesOut", m.getOrDefault("VmbusBytesOut", 0L))
                .add("MeteringDuration", Duration.ofMillis(uptime))
                .add("ComputerName", t.host().computerName());
    }
}
