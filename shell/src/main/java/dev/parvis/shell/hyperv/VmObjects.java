package dev.parvis.shell.hyperv;

import dev.parvis.shell.runtime.EnumValue;
import dev.parvis.shell.runtime.PSObject;
import dev.parvis.wmi.cim.CimInstance;
import dev.parvis.wmi.cim.CimValue;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/**
 * The objects the Hyper-V commands output, with Hyper-V's type names and property names, made from
 * the management API's instances: VirtualMachine (Msvm_ComputerSystem, Msvm_SummaryInformation,
 * the VSSD and the processor and memory settings), VMProcessor, VMMemory, HardDiskDrive.
 */
final class VmObjects {
    static final String VM_TYPE = "Microsoft.HyperV.PowerShell.VirtualMachine";
    static final String STATE_TYPE = "Microsoft.HyperV.PowerShell.VMState";
    static final String PROCESSOR_TYPE = "Microsoft.HyperV.PowerShell.VMProcessor";
    static final String MEMORY_TYPE = "Microsoft.HyperV.PowerShell.VMMemory";
    static final String DRIVE_TYPE = "Microsoft.HyperV.PowerShell.HardDiskDrive";
    static final long MB = 1L << 20;

    private VmObjects() {
    }

    /** The pieces one VirtualMachine object is made from. */
    record VmParts(CimInstance system, CimInstance summary, CimInstance settings, CimInstance processor, CimInstance memory) {
    }

    static PSObject virtualMachine(String computerName, VmParts p) {
        CimInstance cs = p.system();
        String name = cs.text("ElementName").orElse("");
        UUID id = UUID.fromString(cs.text("Name").orElseThrow());
        Optional<CimInstance> sum = Optional.ofNullable(p.summary());
        Optional<CimInstance> vssd = Optional.ofNullable(p.settings());
        long enabled = cs.integer("EnabledState").orElse(0L);
        return PSObject.of(VM_TYPE, "VirtualMachine (Name = '" + name + "') [Id = '" + id + "']")
                .add("Name", name)
                .add("State", state(enabled))
                .add("CPUUsage", enabled == 2 ? sum.flatMap(s -> s.integer("ProcessorLoad")).map(Long::intValue).orElse(0) : 0)
                .add("MemoryAssigned", sum.flatMap(s -> s.integer("MemoryUsage")).orElse(0L) * MB)
                .add("Uptime", enabled == 2 || enabled == 9 ? Duration.ofMillis(cs.integer("OnTimeInMilliseconds").orElse(0L)) : Duration.ZERO)
                .add("Status", status(cs))
                .add("Version", vssd.flatMap(s -> s.text("Version")).map(v -> v.contains(".") ? v : v + ".0").orElse(""))
                .add("Id", id)
                .add("VMId", id)
                .add("VMName", name)
                .add("ProcessorCount", Optional.ofNullable(p.processor()).flatMap(x -> x.integer("VirtualQuantity")).map(Long::intValue).orElse(0))
                .add("MemoryStartup", Optional.ofNullable(p.memory()).flatMap(x -> x.integer("VirtualQuantity")).orElse(0L) * MB)
                .add("MemoryDemand", sum.flatMap(s -> s.integer("MemoryUsage")).orElse(0L) * MB)
                .add("DynamicMemoryEnabled", false)
                .add("Heartbeat", heartbeat(sum.flatMap(s -> s.integer("Heartbeat"))))
                .add("Notes", vssd.flatMap(s -> s.value("Notes")).map(VmObjects::lines).orElse(""))
                .add("AutomaticStartAction", startAction(vssd.flatMap(s -> s.integer("AutomaticStartupAction")).orElse(2L)))
                .add("AutomaticStopAction", stopAction(vssd.flatMap(s -> s.integer("AutomaticShutdownAction")).orElse(3L)))
                .add("GuestImage", vssd.flatMap(s -> s.text("GuestImage")).orElse(""))
                .add("ComputerName", computerName);
    }

    /** Hyper-V's VMState for an EnabledState (reference section 3.3). */
    static EnumValue state(long code) {
        String name = switch ((int) code) {
            case 2 -> "Running";
            case 3 -> "Off";
            case 4 -> "Stopping";
            case 6 -> "Saved";
            case 9 -> "Paused";
            case 10 -> "Starting";
            case 32773 -> "Saving";
            case 32776 -> "Pausing";
            case 32777 -> "Resuming";
            case 5 -> "OffCritical";
            default -> "Other";
        };
        return new EnumValue(STATE_TYPE, name, (int) code);
    }

    private static String status(CimInstance cs) {
        return cs.value("StatusDescriptions").filter(v -> v instanceof CimValue.TextArray a && !a.value().isEmpty())
                .map(v -> ((CimValue.TextArray) v).value().get(0)).orElse("Operating normally");
    }

    private static EnumValue heartbeat(Optional<Long> code) {
        if (code.isEmpty()) {
            return new EnumValue("Microsoft.HyperV.PowerShell.VMHeartbeatStatus", "Disabled", 1);
        }
        return switch (code.get().intValue()) {
            case 2 -> new EnumValue("Microsoft.HyperV.PowerShell.VMHeartbeatStatus", "OkApplicationsUnknown", 6);
            case 3 -> new EnumValue("Microsoft.HyperV.PowerShell.VMHeartbeatStatus", "Error", 4);
            case 13 -> new EnumValue("Microsoft.HyperV.PowerShell.VMHeartbeatStatus", "LostCommunication", 5);
            default -> new EnumValue("Microsoft.HyperV.PowerShell.VMHeartbeatStatus", "NoContact", 2);
        };
    }

    static EnumValue startAction(long code) {
        return switch ((int) code) {
            case 3 -> new EnumValue("Microsoft.HyperV.PowerShell.StartAction", "StartIfRunning", 3);
            case 4 -> new EnumValue("Microsoft.HyperV.PowerShell.StartAction", "Start", 4);
            default -> new EnumValue("Microsoft.HyperV.PowerShell.StartAction", "Nothing", 2);
        };
    }

    static EnumValue stopAction(long code) {
        return switch ((int) code) {
            case 2 -> new EnumValue("Microsoft.HyperV.PowerShell.StopAction", "TurnOff", 2);
            case 4 -> new EnumValue("Microsoft.HyperV.PowerShell.StopAction", "ShutDown", 4);
            default -> new EnumValue("Microsoft.HyperV.PowerShell.StopAction", "Save", 3);
        };
    }

    private static String lines(CimValue v) {
        return v instanceof CimValue.TextArray a ? String.join("\n", a.value()) : v.display();
    }

    static PSObject processor(String computerName, String vmName, CimInstance p) {
        return PSObject.of(PROCESSOR_TYPE, "VMProcessor (VMName = '" + vmName + "')")
                .add("VMName", vmName)
                .add("Count", p.integer("VirtualQuantity").map(Long::intValue).orElse(0))
                .add("Reserve", (int) (p.integer("Reservation").orElse(0L) / 1000))
                .add("Maximum", maximum(p.integer("Limit").orElse(0L)))
                .add("RelativeWeight", p.integer("Weight").map(Long::intValue).orElse(100))
                .add("ComputerName", computerName);
    }

    /** Limit 0 (none) shows as Hyper-V's 100 (%). */
    private static int maximum(long limitThousandths) {
        int percent = (int) (limitThousandths / 1000);
        return percent == 0 ? 100 : percent;
    }

    static PSObject memory(String computerName, String vmName, CimInstance m) {
        long startup = m.integer("VirtualQuantity").orElse(0L) * MB;
        return PSObject.of(MEMORY_TYPE, "VMMemory (VMName = '" + vmName + "')")
                .add("VMName", vmName)
                .add("DynamicMemoryEnabled", false)
                .add("Minimum", m.integer("Reservation").orElse(0L) * MB)
                .add("Startup", startup)
                .add("Maximum", m.integer("Limit").orElse(0L) * MB)
                .add("ComputerName", computerName);
    }

    static PSObject hardDiskDrive(String computerName, String vmName, UUID vmId, CimInstance sasd) {
        String path = sasd.value("HostResource").filter(v -> v instanceof CimValue.TextArray a && !a.value().isEmpty())
                .map(v -> ((CimValue.TextArray) v).value().get(0)).orElse("");
        int controller = sasd.text("Address").map(Integer::parseInt).orElse(0);
        int location = sasd.text("AddressOnParent").map(Integer::parseInt).orElse(0);
        return PSObject.of(DRIVE_TYPE, "HardDiskDrive (Name = 'Hard Drive on SCSI controller number " + controller + " at location "
                        + location + "') [VMName = '" + vmName + "']")
                .add("VMName", vmName)
                .add("ControllerType", "SCSI")
                .add("ControllerNumber", controller)
                .add("ControllerLocation", location)
                .add("DiskNumber", null)
                .add("Path", path)
                .add("VMId", vmId)
                .add("ComputerName", computerName)
                .add("InstanceID", sasd.text("InstanceID").orElse(""));
    }
}
