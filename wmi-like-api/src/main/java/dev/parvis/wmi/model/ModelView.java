package dev.parvis.wmi.model;

import dev.parvis.devices.ic.IcStatus;
import dev.parvis.root.vm.VmManagementService;
import dev.parvis.root.vm.VmManagementService.VmInfo;
import dev.parvis.root.vm.VmMetrics;
import dev.parvis.root.vm.VmState;
import dev.parvis.wmi.job.JobTable;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * One read of the host for rendering instances: the VMs as the service lists them, the state each
 * is shown in (the live state for queries; for event snapshots, the last state the event stream
 * reported, so transitions are seen in order), and the host's other parts.
 */
record ModelView(HostInfo host, VmManagementService service, List<VmInfo> vms, Function<VmInfo, VmState> stateOf,
                 Map<UUID, Instant> lastStateChange, JobTable jobs, Instant now) {

    VmState state(VmInfo vm) {
        return stateOf.apply(vm);
    }

    Optional<VmInfo> vm(UUID id) {
        return vms.stream().filter(v -> v.id().equals(id)).findFirst();
    }

    /** The VM's integration service statuses (empty when it has none or vanished meanwhile). */
    Map<String, IcStatus> integration(VmInfo vm) {
        try {
            return service.integrationStatus(vm.id());
        } catch (RuntimeException e) {
            return Map.of();
        }
    }

    VmMetrics metrics(VmInfo vm) {
        try {
            return service.metrics(vm.id());
        } catch (RuntimeException e) {
            return VmMetrics.NONE;
        }
    }
}
