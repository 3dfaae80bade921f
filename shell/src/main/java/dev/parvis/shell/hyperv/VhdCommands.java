package dev.parvis.shell.hyperv;

import dev.parvis.shell.command.BoundParameters;
import dev.parvis.shell.command.CommandContext;
import dev.parvis.shell.command.CommandDefinition;
import dev.parvis.shell.command.CommandProcessor;
import dev.parvis.shell.command.CommandSpec;
import dev.parvis.shell.command.ParameterKind;
import dev.parvis.shell.command.ParameterSpec;
import dev.parvis.shell.command.PipelineInput;
import dev.parvis.shell.runtime.EnumValue;
import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.PSObject;
import dev.parvis.shell.runtime.RuntimeError;
import dev.parvis.wmi.cim.CimInstance;
import dev.parvis.wmi.cim.CimValue;
import dev.parvis.wmi.cim.MethodResult;
import java.util.List;
import java.util.Map;

/**
 * New-VHD, Get-VHD, Resize-VHD and Merge-VHD over the host's Msvm_ImageManagementService (paths are
 * on the host, inside its storage directories). A host without virtual disk support answers "not
 * supported", which these commands report as such.
 */
final class VhdCommands {
    static final String VHD_TYPE = "Microsoft.Vhd.PowerShell.VirtualHardDisk";
    private static final ParameterSpec PATH = ParameterSpec.of("Path", ParameterKind.STRING, "The virtual hard disk file on the host.")
            .at(0).required().fromPipeline(PipelineInput.BY_PROPERTY_NAME).alias("FullName").completes(ParameterSpec.COMPLETE_PATH);

    private VhdCommands() {
    }

    /** A command over one disk path per input: its spec and what it does. */
    private record DiskCommand(CommandSpec spec, Action action) implements CommandDefinition {
        interface Action {
            void apply(VirtualizationHost host, String path, BoundParameters p, CommandContext ctx, dev.parvis.shell.command.Pipe out);
        }

        @Override
        public CommandProcessor create(BoundParameters parameters, CommandContext ctx) {
            return (input, p, out) -> {
                for (VirtualizationHost host : VmTarget.hosts(p, ctx)) {
                    action.apply(host, p.string("Path"), p, ctx, out);
                }
            };
        }
    }

    static List<CommandDefinition> all() {
        return List.of(newVhd(), getVhd(), resizeVhd(), mergeVhd());
    }

    private static CommandSpec.Builder base(String name, String synopsis, String description) {
        return CommandSpec.named(name).synopsis(synopsis).description(description).module(HyperVParameters.MODULE)
                .parameter(PATH).parameter(HyperVParameters.COMPUTER).parameter(HyperVParameters.CREDENTIAL);
    }

    private static CommandDefinition newVhd() {
        return new DiskCommand(base("New-VHD", "Creates a virtual hard disk file.",
                        "Creates a VHDX file on the host: dynamic (the default; grows as written), fixed (all space allocated), or "
                                + "differencing (-Differencing -ParentPath: records changes to a parent disk).")
                .parameter(ParameterSpec.of("SizeBytes", ParameterKind.LONG, "The disk's size (e.g. 1GB); not for a differencing disk."))
                .parameter(ParameterSpec.of("Fixed", ParameterKind.SWITCH, "Allocates the whole size now."))
                .parameter(ParameterSpec.of("Dynamic", ParameterKind.SWITCH, "Allocates space as it is written (the default)."))
                .parameter(ParameterSpec.of("Differencing", ParameterKind.SWITCH, "A child of -ParentPath."))
                .parameter(ParameterSpec.of("ParentPath", ParameterKind.STRING, "The parent of a differencing disk.").completes(ParameterSpec.COMPLETE_PATH))
                .parameter(ParameterSpec.of("BlockSizeBytes", ParameterKind.LONG, "The allocation unit (default 32MB)."))
                .parameter(ParameterSpec.of("LogicalSectorSizeBytes", ParameterKind.INT, "512 (default) or 4096."))
                .changesState()
                .example("New-VHD -Path data1.vhdx -SizeBytes 64MB -Dynamic", "Creates a 64 MiB dynamic disk in the host's storage directory.")
                .outputs(VHD_TYPE)
                .build(), (host, path, p, ctx, out) -> {
                    int kinds = (p.flag("Fixed") ? 1 : 0) + (p.flag("Dynamic") ? 1 : 0) + (p.flag("Differencing") ? 1 : 0);
                    if (kinds > 1) {
                        throw new RuntimeError("Give only one of -Fixed, -Dynamic and -Differencing.", ErrorCategory.INVALID_ARGUMENT, "DiskType");
                    }
                    int type = p.flag("Fixed") ? 2 : p.flag("Differencing") ? 4 : 3;
                    if (type == 4 != p.has("ParentPath") || type != 4 && !p.has("SizeBytes")) {
                        throw new RuntimeError(type == 4 ? "-Differencing needs -ParentPath." : "-SizeBytes is required (and -ParentPath only with -Differencing).",
                                ErrorCategory.INVALID_ARGUMENT, "DiskParameters");
                    }
                    if (ctx.shouldProcess(path, "New-VHD")) {
                        create(host, path, type, p.longValue("SizeBytes", 0), p, ctx);
                        out.write(describe(host, path));
                    }
                });
    }

    /** CreateVirtualHardDisk with a progress bar. */
    static void create(VirtualizationHost host, String path, int type, long size, BoundParameters p, CommandContext ctx) {
        CimInstance.Builder settings = CimInstance.builder("Msvm_VirtualHardDiskSettingData").set("Path", path).set("Type", type)
                .set("Format", 3).set("MaxInternalSize", size);
        if (p != null && p.has("ParentPath")) {
            settings.set("ParentPath", p.string("ParentPath"));
        }
        if (p != null && p.has("BlockSizeBytes")) {
            settings.set("BlockSize", p.longValue("BlockSizeBytes", 0));
        }
        if (p != null && p.has("LogicalSectorSizeBytes")) {
            settings.set("LogicalSectorSize", p.integer("LogicalSectorSizeBytes", 512));
        }
        MethodResult r = host.invoke(host.imageService(), "CreateVirtualHardDisk",
                Map.of("VirtualDiskSettingData", new CimValue.Instances(List.of(settings.build()))));
        awaitWithBar(host, r, "New-VHD", path, ctx);
    }

    private static void awaitWithBar(VirtualizationHost host, MethodResult r, String activity, String path, CommandContext ctx) {
        try {
            host.await(r, pct -> ctx.progress(activity, path, pct, false), ctx::checkpoint);
        } finally {
            ctx.progress(activity, path, 100, true);
        }
    }

    /** The VirtualHardDisk object of the disk at {@code path}, as the host reads it. */
    static PSObject describe(VirtualizationHost host, String path) {
        MethodResult r = host.invoke(host.imageService(), "GetVirtualHardDiskSettingData", Map.of("Path", CimValue.of(path)));
        host.await(r, x -> { }, () -> { });
        if (!(r.outParameters().get("SettingData") instanceof CimValue.Instances list) || list.value().isEmpty()) {
            throw HyperVErrors.error("The host returned no settings for " + path + ".", ErrorCategory.INVALID_RESULT, "NoDiskSettings");
        }
        CimInstance d = list.value().get(0);
        long type = d.integer("Type").orElse(3L);
        String hostPath = d.text("Path").orElse(path);
        boolean attached = host.query("SELECT * FROM Msvm_StorageAllocationSettingData").stream()
                .anyMatch(s -> s.value("HostResource").filter(v -> v instanceof CimValue.TextArray a && a.value().contains(hostPath)).isPresent());
        return PSObject.of(VHD_TYPE, hostPath)
                .add("ComputerName", host.computerName())
                .add("Path", hostPath)
                .add("VhdFormat", new EnumValue("Microsoft.Vhd.PowerShell.VhdFormat", "VHDX", 3))
                .add("VhdType", new EnumValue("Microsoft.Vhd.PowerShell.VhdType", type == 2 ? "Fixed" : type == 4 ? "Differencing" : "Dynamic", (int) type))
                .add("Size", d.integer("MaxInternalSize").orElse(0L))
                .add("BlockSize", d.integer("BlockSize").orElse(0L))
                .add("LogicalSectorSize", d.integer("LogicalSectorSize").orElse(512L))
                .add("ParentPath", d.text("ParentPath").orElse(null))
                .add("Attached", attached);
    }

    private static CommandDefinition getVhd() {
        return new DiskCommand(base("Get-VHD", "Gets a virtual hard disk's properties.",
                        "Outputs the VirtualHardDisk at -Path (or at each piped object's Path, e.g. from Get-VMHardDiskDrive): format, "
                                + "type, size, block and sector size, parent, and whether a VM uses it.")
                .example("Get-VM | Get-VMHardDiskDrive | Get-VHD", "The disks of every VM.")
                .outputs(VHD_TYPE)
                .build(), (host, path, p, ctx, out) -> out.write(describe(host, path)));
    }

    private static CommandDefinition resizeVhd() {
        return new DiskCommand(base("Resize-VHD", "Changes a virtual hard disk's size.",
                        "Grows (or shrinks, down to what is in use) the disk at -Path to -SizeBytes; the disk must not be in use.")
                .parameter(ParameterSpec.of("SizeBytes", ParameterKind.LONG, "The new size.").required())
                .parameter(HyperVParameters.PASSTHRU)
                .changesState()
                .example("Resize-VHD -Path data1.vhdx -SizeBytes 128MB", "Grows data1.vhdx to 128 MiB.")
                .outputs(VHD_TYPE)
                .build(), (host, path, p, ctx, out) -> {
                    if (!ctx.shouldProcess(path, "Resize-VHD")) {
                        return;
                    }
                    MethodResult r = host.invoke(host.imageService(), "ResizeVirtualHardDisk",
                            Map.of("Path", CimValue.of(path), "MaxInternalSize", CimValue.of(p.longValue("SizeBytes", 0))));
                    awaitWithBar(host, r, "Resize-VHD", path, ctx);
                    if (p.flag("Passthru")) {
                        out.write(describe(host, path));
                    }
                });
    }

    private static CommandDefinition mergeVhd() {
        return new DiskCommand(base("Merge-VHD", "Merges a differencing disk into its parent.",
                        "Writes the changes in the differencing disk at -Path into -DestinationPath (its parent by default); the child "
                                + "is then deleted.")
                .parameter(ParameterSpec.of("DestinationPath", ParameterKind.STRING, "The ancestor to merge into (default: the parent).")
                        .completes(ParameterSpec.COMPLETE_PATH))
                .changesState()
                .example("Merge-VHD -Path child.vhdx", "Merges child.vhdx into its parent.")
                .build(), (host, path, p, ctx, out) -> {
                    String destination = p.has("DestinationPath") ? p.string("DestinationPath")
                            : String.valueOf(describe(host, path).get("ParentPath"));
                    if (!ctx.shouldProcess(path, "Merge-VHD")) {
                        return;
                    }
                    MethodResult r = host.invoke(host.imageService(), "MergeVirtualHardDisk",
                            Map.of("SourcePath", CimValue.of(path), "DestinationPath", CimValue.of(destination)));
                    awaitWithBar(host, r, "Merge-VHD", path, ctx);
                });
    }
}
