package dev.parvis.shell.hyperv;

import dev.parvis.shell.command.BoundParameters;
import dev.parvis.shell.command.CommandContext;
import dev.parvis.shell.command.CommandDefinition;
import dev.parvis.shell.command.CommandProcessor;
import dev.parvis.shell.command.CommandSpec;
import dev.parvis.shell.command.ParameterKind;
import dev.parvis.shell.command.ParameterSpec;
import dev.parvis.shell.command.PipelineInput;
import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.PSObject;
import dev.parvis.shell.runtime.RuntimeError;
import dev.parvis.wmi.cim.CimInstance;
import dev.parvis.wmi.cim.CimValue;
import dev.parvis.wmi.cim.MethodResult;
import dev.parvis.wmi.cim.ObjectPath;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Add-VMHardDiskDrive, Get-VMHardDiskDrive and Remove-VMHardDiskDrive: a VM's disks are its
 * Msvm_StorageAllocationSettingData instances (one SCSI controller, a location per disk), added and
 * removed with AddResourceSettings / RemoveResourceSettings.
 */
final class DriveCommands {
    private DriveCommands() {
    }

    static List<CommandDefinition> all() {
        return List.of(add(), get(), remove());
    }

    private static CommandDefinition add() {
        return new PerVmCommand(PerVmCommand.base("Add-VMHardDiskDrive", "Attaches a virtual hard disk to a virtual machine.",
                        "Adds a drive with the disk at -Path (on the host) to SCSI controller -ControllerNumber (default 0) at "
                                + "-ControllerLocation (default: the next free one). On a running or paused VM the guest sees the disk at once; "
                                + "on an off VM it is there from the next start. The drive stays in the VM's configuration.")
                .parameter(ParameterSpec.of("Path", ParameterKind.STRING, "The virtual hard disk file.").at(1).required()
                        .completes(ParameterSpec.COMPLETE_PATH))
                .parameter(ParameterSpec.of("ControllerType", ParameterKind.CHOICE, "SCSI (the only controller Parvis VMs have).").choices("SCSI", "IDE"))
                .parameter(ParameterSpec.of("ControllerNumber", ParameterKind.INT, "The SCSI controller, 0-3 (default 0)."))
                .parameter(ParameterSpec.of("ControllerLocation", ParameterKind.INT, "The LUN on the controller, 0-63 (default: the next free one)."))
                .parameter(HyperVParameters.PASSTHRU)
                .changesState()
                .example("Add-VMHardDiskDrive -VMName demo -Path data1.vhdx", "Attaches data1.vhdx to demo.")
                .example("Add-VMHardDiskDrive -VMName demo -Path data1.vhdx -ControllerNumber 0 -ControllerLocation 5",
                        "Attaches data1.vhdx to demo's first SCSI controller at LUN 5.")
                .outputs(VmObjects.DRIVE_TYPE)
                .build(), (t, p, ctx, out) -> {
                    if ("IDE".equals(p.string("ControllerType"))) {
                        throw HyperVErrors.error("Parvis VMs have a SCSI controller only.", ErrorCategory.INVALID_ARGUMENT, "NoIdeController");
                    }
                    if (ctx.shouldProcess(t.name(), "Add-VMHardDiskDrive")) {
                        attach(t, p.string("Path"), p.has("ControllerNumber") ? p.integer("ControllerNumber", 0) : null,
                                p.has("ControllerLocation") ? p.integer("ControllerLocation", 0) : null, ctx);
                        if (p.flag("Passthru")) {
                            List<PSObject> drives = drives(t);
                            out.write(drives.get(drives.size() - 1));
                        }
                    }
                });
    }

    static void attach(VmTarget t, String path, CommandContext ctx) {
        attach(t, path, null, null, ctx);
    }

    /** AddResourceSettings with one disk: {@code controller} and {@code lun} null for the defaults (0, next free). */
    static void attach(VmTarget t, String path, Integer controller, Integer lun, CommandContext ctx) {
        CimInstance vssd = VmReader.settings(t, "Msvm_VirtualSystemSettingData", null);
        var b = CimInstance.builder("Msvm_StorageAllocationSettingData").set("ResourceType", 31)
                .set("HostResource", new CimValue.TextArray(List.of(path)));
        if (controller != null) {
            b.set("Address", Integer.toString(controller));
        }
        if (lun != null) {
            b.set("AddressOnParent", Integer.toString(lun));
        }
        CimInstance disk = b.build();
        MethodResult r = t.host().invoke(t.host().managementService(), "AddResourceSettings", Map.of(
                "AffectedConfiguration", new CimValue.Ref(vssd.path()), "ResourceSettings", new CimValue.Instances(List.of(disk))));
        t.host().await(r, x -> { }, ctx::checkpoint);
    }

    static List<PSObject> drives(VmTarget t) {
        return t.host().ofVm("Msvm_StorageAllocationSettingData", t.guid()).stream()
                .map(s -> VmObjects.hardDiskDrive(t.host().computerName(), t.name(), UUID.fromString(t.guid()), s)).toList();
    }

    private static CommandDefinition get() {
        return new PerVmCommand(PerVmCommand.base("Get-VMHardDiskDrive", "Gets a virtual machine's hard disk drives.",
                        "Outputs a HardDiskDrive per disk attached to the VM: controller, location and the disk's Path.")
                .example("Get-VMHardDiskDrive -VMName demo", "The drives of demo.")
                .outputs(VmObjects.DRIVE_TYPE)
                .build(), (t, p, ctx, out) -> drives(t).forEach(out::write));
    }

    private static CommandDefinition remove() {
        CommandSpec spec = CommandSpec.named("Remove-VMHardDiskDrive").synopsis("Detaches a hard disk drive from a virtual machine.")
                .description("Removes the drive (piped from Get-VMHardDiskDrive, or -VMName with -ControllerNumber (default 0) and "
                        + "-ControllerLocation) from its VM; the disk file stays. On a running VM the guest loses the disk at once.")
                .module(HyperVParameters.MODULE)
                .parameter(ParameterSpec.of("VMHardDiskDrive", ParameterKind.TYPED_OBJECTS, "Drive objects (from Get-VMHardDiskDrive).")
                        .ofType(VmObjects.DRIVE_TYPE).fromPipeline(PipelineInput.BY_VALUE).at(0))
                .parameter(ParameterSpec.of("VMName", ParameterKind.STRING, "The VM (with -ControllerLocation).")
                        .completes(dev.parvis.shell.command.ArgumentCompletions.VM_NAMES))
                .parameter(ParameterSpec.of("ControllerNumber", ParameterKind.INT, "The drive's SCSI controller (default 0)."))
                .parameter(ParameterSpec.of("ControllerLocation", ParameterKind.INT, "The drive's location on the controller."))
                .parameter(HyperVParameters.COMPUTER).parameter(HyperVParameters.CREDENTIAL)
                .changesState()
                .example("Get-VMHardDiskDrive -VMName demo | Remove-VMHardDiskDrive", "Detaches every disk of demo.")
                .build();
        return new CommandDefinition() {
            @Override
            public CommandSpec spec() {
                return spec;
            }

            @Override
            public CommandProcessor create(BoundParameters parameters, CommandContext ctx) {
                return (input, p, out) -> {
                    for (PSObject drive : selected(p, ctx)) {
                        removeOne(drive, p, ctx);
                    }
                };
            }
        };
    }

    private static List<PSObject> selected(BoundParameters p, CommandContext ctx) {
        if (p.has("VMHardDiskDrive")) {
            return p.objects("VMHardDiskDrive").stream().map(o -> (PSObject) o).toList();
        }
        if (!p.has("VMName") || !p.has("ControllerLocation")) {
            throw new RuntimeError("Give drive objects, or -VMName with -ControllerLocation.", ErrorCategory.INVALID_ARGUMENT, "NoDrive");
        }
        BoundParameters byName = p.with(Map.of("Name", List.of(p.string("VMName"))));
        int controller = p.integer("ControllerNumber", 0);
        int location = p.integer("ControllerLocation", 0);
        List<PSObject> found = VmTarget.resolve(byName, ctx).stream().flatMap(t -> drives(t).stream())
                .filter(d -> ((Integer) d.get("ControllerNumber")) == controller && ((Integer) d.get("ControllerLocation")) == location)
                .toList();
        if (found.isEmpty()) {
            throw new RuntimeError("VM '%s' has no hard disk drive at SCSI controller %d, location %d."
                    .formatted(p.string("VMName"), controller, location), ErrorCategory.OBJECT_NOT_FOUND, "NoDrive");
        }
        return found;
    }

    private static void removeOne(PSObject drive, BoundParameters p, CommandContext ctx) {
        String vm = String.valueOf(drive.get("VMName"));
        if (!ctx.shouldProcess(vm + " " + drive.get("Path"), "Remove-VMHardDiskDrive")) {
            return;
        }
        VirtualizationHost host = ctx.service(HostConnections.class).forComputer(String.valueOf(drive.get("ComputerName")),
                Credential.of(p.get("Credential")));
        ObjectPath sasd = ObjectPath.of("Msvm_StorageAllocationSettingData", "InstanceID", String.valueOf(drive.get("InstanceID")));
        // A REF[] parameter travels as the paths' text.
        MethodResult r = host.invoke(host.managementService(), "RemoveResourceSettings",
                Map.of("ResourceSettings", new CimValue.TextArray(List.of(sasd.toString()))));
        host.await(r, x -> { }, ctx::checkpoint);
    }
}
