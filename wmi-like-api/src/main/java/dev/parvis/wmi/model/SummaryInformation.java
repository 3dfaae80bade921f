package dev.parvis.wmi.model;

import dev.parvis.devices.ic.IcStatus;
import dev.parvis.root.vm.VmManagementService.VmInfo;
import dev.parvis.root.vm.VmMetrics;
import dev.parvis.root.vm.VmState;
import dev.parvis.wmi.cim.CimInstance;
import java.util.List;
import java.util.Map;

/**
 * Msvm_SummaryInformation: what Get-VM shows, one instance per VM in one query (reference
 * [H-sum]): state, health, processors, memory in use, uptime, average processor load since the
 * VM last started, heartbeat, guest OS (from KVP), notes.
 */
final class SummaryInformation implements InstanceSource {
    static final String CLASS = "Msvm_SummaryInformation";
    static final CimClass SCHEMA = new CimClass(CLASS, List.of("Name"),
            List.of("Name", "InstanceID", "ElementName", "EnabledState", "HealthState", "NumberOfProcessors", "MemoryUsage",
                    "UpTime", "ProcessorLoad", "Heartbeat", "GuestOperatingSystem", "Notes", "IntegrationServicesVersionState"),
            List.of());

    @Override
    public CimClass cimClass() {
        return SCHEMA;
    }

    @Override
    public List<CimInstance> instances(ModelView view) {
        return InstanceSource.perVm(view, vm -> List.of(render(view, vm)));
    }

    static CimInstance render(ModelView view, VmInfo vm) {
        VmState state = view.state(vm);
        VmMetrics m = view.metrics(vm);
        Map<String, IcStatus> ics = view.integration(vm);
        IcStatus heartbeat = ics.get("heartbeat");
        long uptimeMs = m.uptime().toMillis();
        // Average load since start across the VM's processors: CPU time over (uptime x vCPUs).
        long load = uptimeMs == 0 ? 0 : Math.min(100, m.cpuTime().toMillis() * 100 / (uptimeMs * vm.config().vcpuCount()));
        CimInstance.Builder b = CimInstance.builder(CLASS).key("Name", vm.id().toString().toUpperCase())
                .set("InstanceID", "Microsoft:" + vm.id().toString().toUpperCase()).set("ElementName", vm.name())
                .set("EnabledState", state.code())
                .set("HealthState", state instanceof VmState.Failed ? ComputerSystems.HEALTH_CRITICAL : ComputerSystems.HEALTH_OK)
                .set("NumberOfProcessors", vm.config().vcpuCount()).set("MemoryUsage", m.memoryAssignedBytes() >> 20)
                .set("UpTime", uptimeMs).set("ProcessorLoad", load).set("Notes", vm.config().notes());
        if (heartbeat != null && !(heartbeat instanceof IcStatus.Disabled)) {
            b.set("Heartbeat", IntegrationComponents.operationalStatus(heartbeat));
        }
        if (ics.get("kvp") instanceof IcStatus.Ok) {
            IntegrationComponents.live(view, vm).map(s -> s.kvp().guestIntrinsicItems().get("OSName"))
                    .ifPresent(os -> b.set("GuestOperatingSystem", os));
        }
        return b.build();
    }
}
