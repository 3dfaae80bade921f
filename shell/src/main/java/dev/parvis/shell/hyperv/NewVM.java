package dev.parvis.shell.hyperv;

import dev.parvis.shell.command.BoundParameters;
import dev.parvis.shell.command.CommandContext;
import dev.parvis.shell.command.CommandDefinition;
import dev.parvis.shell.command.CommandProcessor;
import dev.parvis.shell.command.CommandSpec;
import dev.parvis.shell.command.ParameterKind;
import dev.parvis.shell.command.ParameterSpec;
import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.RuntimeError;
import dev.parvis.wmi.cim.CimInstance;
import dev.parvis.wmi.cim.CimValue;
import dev.parvis.wmi.cim.MethodResult;
import dev.parvis.wmi.cim.ObjectPath;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * New-VM: defines a VM with DefineSystem (its system settings and its memory), optionally with a
 * new or existing virtual hard disk attached, and outputs it (Off; Running with -Start, a Parvis switch).
 */
final class NewVM implements CommandDefinition {
    private static final CommandSpec SPEC = CommandSpec.named("New-VM")
            .synopsis("Creates a new virtual machine.")
            .description("Defines a VM on the host with the given name, startup memory and guest image (a built guest, e.g. "
                    + "icdaemon, or an ELF file in the host's storage directory), with the integration services. -VHDPath attaches "
                    + "an existing virtual hard disk; -NewVHDPath with -NewVHDSizeBytes creates one first. The VM starts Off.")
            .parameter(ParameterSpec.of("Name", ParameterKind.STRING, "The new VM's name.").at(0).required().alias("VMName"))
            .parameter(ParameterSpec.of("MemoryStartupBytes", ParameterKind.LONG, "Startup memory in bytes (e.g. 64MB; default 16MB)."))
            .parameter(ParameterSpec.of("GuestImage", ParameterKind.STRING, "The guest to boot: a built guest's name (default icdaemon) or an ELF path."))
            .parameter(ParameterSpec.of("VHDPath", ParameterKind.STRING, "An existing virtual hard disk to attach.").completes(ParameterSpec.COMPLETE_PATH))
            .parameter(ParameterSpec.of("NewVHDPath", ParameterKind.STRING, "A virtual hard disk to create and attach.").completes(ParameterSpec.COMPLETE_PATH))
            .parameter(ParameterSpec.of("NewVHDSizeBytes", ParameterKind.LONG, "The size of the disk -NewVHDPath creates."))
            .parameter(ParameterSpec.of("NoVHD", ParameterKind.SWITCH, "Creates the VM without a disk (the default)."))
            .parameter(ParameterSpec.of("Start", ParameterKind.SWITCH, "Parvis: also starts the VM, in the same request (its partition is "
                    + "built while its configuration is written; it runs once the configuration is on disk); outputs it Running."))
            .parameter(HyperVParameters.COMPUTER)
            .parameter(HyperVParameters.CREDENTIAL)
            .example("New-VM -Name demo2 -MemoryStartupBytes 32MB", "Defines a VM named demo2 with 32 MiB that boots the icdaemon guest.")
            .example("New-VM -Name web -Start | Out-Null; Stop-VM -Name web -TurnOff; Remove-VM -Name web -Force",
                    "Defines a VM named web and starts it in one request (as New-VM | Start-VM would in two), then turns it off and removes it.")
            .changesState()
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
            String name = p.string("Name");
            if (p.has("NewVHDPath") != p.has("NewVHDSizeBytes")) {
                throw new RuntimeError("-NewVHDPath and -NewVHDSizeBytes go together.", ErrorCategory.INVALID_ARGUMENT, "NewVhdIncomplete");
            }
            for (VirtualizationHost host : VmTarget.hosts(p, ctx)) {
                if (!ctx.shouldProcess(name, "New-VM")) {
                    continue;
                }
                if (p.has("NewVHDPath")) {
                    VhdCommands.create(host, p.string("NewVHDPath"), 3, p.longValue("NewVHDSizeBytes", 0), null, ctx);
                }
                String disk = p.has("NewVHDPath") ? p.string("NewVHDPath") : p.string("VHDPath");
                // With a disk the start waits for its attachment: define, attach, then start.
                boolean startWithDefinition = p.flag("Start") && disk == null;
                ObjectPath vm = define(host, name, p, startWithDefinition);
                VmTarget t = new VmTarget(host, host.get(vm));
                if (disk != null) {
                    DriveCommands.attach(t, disk, ctx);
                }
                if (p.flag("Start") && !startWithDefinition) {
                    host.await(host.invoke(vm, "RequestStateChange", Map.of("RequestedState", CimValue.of(2))), x -> { }, () -> { });
                }
                out.write(VmReader.one(new VmTarget(host, host.get(vm))));
            }
        };
    }

    /** DefineSystem; with {@code start}, DefineSystem's Start, and the wait for the start's job. */
    private static ObjectPath define(VirtualizationHost host, String name, BoundParameters p, boolean start) {
        CimInstance system = CimInstance.builder("Msvm_VirtualSystemSettingData").set("ElementName", name)
                .set("GuestImage", p.string("GuestImage", "icdaemon")).build();
        List<CimInstance> resources = new ArrayList<>();
        if (p.has("MemoryStartupBytes")) {
            resources.add(CimInstance.builder("Msvm_MemorySettingData").set("VirtualQuantity", megabytes(p.longValue("MemoryStartupBytes", 0)))
                    .build());
        }
        Map<String, CimValue> in = new java.util.HashMap<>(Map.of(
                "SystemSettings", new CimValue.Instances(List.of(system)), "ResourceSettings", new CimValue.Instances(resources)));
        if (start) {
            in.put("Start", new CimValue.Bool(true));
        }
        MethodResult r = host.invoke(host.managementService(), "DefineSystem", in);
        host.await(r, x -> { }, () -> { });
        CimValue resulting = r.outParameters().get("ResultingSystem");
        if (!(resulting instanceof CimValue.Ref ref)) {
            throw HyperVErrors.error("The host did not say which VM it created.", ErrorCategory.INVALID_RESULT, "NoResultingSystem");
        }
        return ref.value();
    }

    /** Bytes to the MiB the host counts memory in; Hyper-V needs whole megabytes. */
    static long megabytes(long bytes) {
        if (bytes <= 0 || bytes % (1L << 20) != 0) {
            throw new RuntimeError("Memory must be a positive whole number of megabytes (e.g. 64MB): " + bytes, ErrorCategory.INVALID_ARGUMENT,
                    "InvalidMemorySize");
        }
        return bytes >> 20;
    }
}
