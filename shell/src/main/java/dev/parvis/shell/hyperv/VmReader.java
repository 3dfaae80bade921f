package dev.parvis.shell.hyperv;

import dev.parvis.shell.runtime.PSObject;
import dev.parvis.wmi.cim.CimInstance;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Builds VirtualMachine objects from the host's instances: all at once (Get-VM) or one VM afresh (-Passthru). */
final class VmReader {
    private VmReader() {
    }

    /** Every VM of {@code host} in {@code systems} order, handed to {@code out} as each is made. */
    static void all(VirtualizationHost host, List<CimInstance> systems, Consumer<PSObject> out) {
        if (systems.isEmpty()) {
            return;
        }
        Map<String, CimInstance> summaries = host.byVm("Msvm_SummaryInformation");
        Map<String, CimInstance> settings = host.byVm("Msvm_VirtualSystemSettingData");
        Map<String, CimInstance> processors = host.byVm("Msvm_ProcessorSettingData");
        Map<String, CimInstance> memories = host.byVm("Msvm_MemorySettingData");
        for (CimInstance cs : systems) {
            String id = VirtualizationHost.vmGuid(cs);
            out.accept(VmObjects.virtualMachine(host.computerName(),
                    new VmObjects.VmParts(cs, summaries.get(id), settings.get(id), processors.get(id), memories.get(id))));
        }
    }

    /** The VM {@code t} as it is now. */
    static PSObject one(VmTarget t) {
        VirtualizationHost host = t.host();
        CimInstance cs = host.vmById(t.guid()).orElseThrow(() -> HyperVErrors.vmNotFound(t.name()));
        String g = VirtualizationHost.quote(t.guid());
        return VmObjects.virtualMachine(host.computerName(), new VmObjects.VmParts(cs,
                first(host.query("SELECT * FROM Msvm_SummaryInformation WHERE Name = '" + g + "'")),
                first(host.query("SELECT * FROM Msvm_VirtualSystemSettingData WHERE InstanceID = 'Microsoft:" + g + "'")),
                first(host.query("SELECT * FROM Msvm_ProcessorSettingData WHERE InstanceID = 'Microsoft:" + g + "\\\\Processor'")),
                first(host.query("SELECT * FROM Msvm_MemorySettingData WHERE InstanceID = 'Microsoft:" + g + "\\\\Memory'"))));
    }

    static CimInstance settings(VmTarget t, String className, String part) {
        String g = VirtualizationHost.quote(t.guid());
        String id = part == null ? "Microsoft:" + g : "Microsoft:" + g + "\\\\" + part;
        return first(t.host().query("SELECT * FROM " + className + " WHERE InstanceID = '" + id + "'"));
    }

    private static CimInstance first(List<CimInstance> l) {
        return l.isEmpty() ? null : l.get(0);
    }
}
