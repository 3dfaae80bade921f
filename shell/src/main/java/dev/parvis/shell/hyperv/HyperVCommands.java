package dev.parvis.shell.hyperv;

import dev.parvis.shell.command.ArgumentCompletions;
import dev.parvis.shell.command.CommandDefinition;
import dev.parvis.shell.command.CommandTable;
import dev.parvis.shell.engine.ShellSession;
import dev.parvis.shell.format.Column;
import dev.parvis.shell.format.FormatViews;
import dev.parvis.shell.format.TableView;
import dev.parvis.shell.runtime.Conversions;
import dev.parvis.shell.runtime.Members;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The Hyper-V-style commands (module Parvis.HyperV), their table views (Get-VM's is Hyper-V's:
 * Name, State, CPUUsage(%), MemoryAssigned(M), Uptime, Status, Version), their types and the VM
 * names Tab completes.
 */
public final class HyperVCommands {
    private static final long NAME_CACHE_NANOS = 2_000_000_000L;

    private HyperVCommands() {
    }

    public static CommandTable register(CommandTable t) {
        List<CommandDefinition> all = new ArrayList<>();
        all.add(new GetVM());
        all.add(new NewVM());
        all.addAll(VmStateCommand.all());
        all.addAll(VmSettingsCommands.all());
        all.addAll(VhdCommands.all());
        all.addAll(DriveCommands.all());
        all.addAll(GuestCommands.all());
        all.addAll(HostCommands.all());
        all.forEach(t::add);
        t.alias("gvm", "Get-VM").alias("savm", "Start-VM").alias("spvm", "Stop-VM").alias("etsn", "Enter-PSSession")
                .alias("exsn", "Exit-PSSession");
        return t;
    }

    /** Adds the views, types, services and completions the commands need to a session. */
    public static void install(ShellSession session, HostConnections hosts) {
        session.addService(HostConnections.class, hosts);
        views(session.views());
        for (String type : List.of(VmObjects.VM_TYPE, VmObjects.PROCESSOR_TYPE, VmObjects.MEMORY_TYPE, VmObjects.DRIVE_TYPE,
                VhdCommands.VHD_TYPE, GuestCommands.IC_TYPE, GuestCommands.METERING_TYPE, HostCommands.HOST_TYPE, Credential.TYPE)) {
            session.addKnownType(type);
        }
        session.service(ArgumentCompletions.class).register(ArgumentCompletions.VM_NAMES, new VmNames(hosts)::get);
    }

    static void views(FormatViews v) {
        v.register(new TableView(VmObjects.VM_TYPE, List.of(Column.property("Name"), Column.property("State"),
                Column.of("CPUUsage(%)", o -> Members.get(o, "CPUUsage")),
                Column.of("MemoryAssigned(M)", o -> Conversions.toLong(Members.get(o, "MemoryAssigned")) >> 20),
                Column.of("Uptime", o -> Members.get(o, "Uptime") instanceof Duration d ? Duration.ofSeconds(d.toSeconds()) : null),
                Column.property("Status"), Column.property("Version"))));
        v.register(new TableView(VmObjects.PROCESSOR_TYPE, List.of(Column.property("VMName"), Column.property("Count"),
                Column.property("Reserve"), Column.property("Maximum"), Column.property("RelativeWeight"))));
        v.register(new TableView(VmObjects.MEMORY_TYPE, List.of(Column.property("VMName"), Column.property("DynamicMemoryEnabled"),
                megabytes("Minimum"), megabytes("Startup"), megabytes("Maximum"))));
        v.register(new TableView(VmObjects.DRIVE_TYPE, List.of(Column.property("VMName"), Column.property("ControllerType"),
                Column.property("ControllerNumber"), Column.property("ControllerLocation"), Column.property("DiskNumber"), Column.property("Path"))));
        v.register(new TableView(GuestCommands.IC_TYPE, List.of(Column.property("VMName"), Column.property("Name"), Column.property("Enabled"),
                Column.property("PrimaryStatusDescription"), Column.property("SecondaryStatusDescription"))));
        v.register(new TableView(GuestCommands.METERING_TYPE, List.of(Column.property("VMName"), Column.of("AvgCPU(%)", o -> Members.get(o, "AvgCPU")),
                Column.of("AvgRAM(M)", o -> Members.get(o, "AvgRAM")), Column.of("MaxRAM(M)", o -> Members.get(o, "MaxRAM")),
                Column.of("MinRAM(M)", o -> Members.get(o, "MinRAM")), Column.of("TotalDisk(M)", o -> Members.get(o, "TotalDisk")),
                Column.of("NetworkInbound(M)", o -> Members.get(o, "NetworkInbound")), Column.of("NetworkOutbound(M)", o -> Members.get(o, "NetworkOutbound")))));
    }

    private static Column megabytes(String property) {
        return Column.of(property + "(M)", o -> Conversions.toLong(Members.get(o, property)) >> 20);
    }

    /** VM names for Tab, from the current host, fetched at most every two seconds. */
    private static final class VmNames {
        private final HostConnections hosts;
        private List<String> cached = List.of();
        private long fetched;

        VmNames(HostConnections hosts) {
            this.hosts = hosts;
        }

        synchronized List<String> get() {
            if (System.nanoTime() - fetched > NAME_CACHE_NANOS) {
                cached = hosts.current(null).virtualMachines().stream().map(v -> v.text("ElementName").orElse("")).sorted().toList();
                fetched = System.nanoTime();
            }
            return cached;
        }
    }
}
