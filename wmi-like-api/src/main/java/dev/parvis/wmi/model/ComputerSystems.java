package dev.parvis.wmi.model;

import dev.parvis.root.vm.VmManagementService.VmInfo;
import dev.parvis.root.vm.VmState;
import dev.parvis.wmi.cim.CimInstance;
import dev.parvis.wmi.cim.CimValue;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Msvm_ComputerSystem: the host ("Hosting Computer System") and one instance per VM
 * ("Virtual Machine") with the v2 EnabledState codes of its state (reference section 3.3).
 */
final class ComputerSystems implements InstanceSource {
    static final String CLASS = ObjectPaths.VM_CLASS;
    static final CimClass SCHEMA = new CimClass(CLASS, List.of("CreationClassName", "Name"),
            List.of("CreationClassName", "Name", "ElementName", "Caption", "Description", "EnabledState", "EnabledDefault",
                    "RequestedState", "HealthState", "OperationalStatus", "StatusDescriptions", "OnTimeInMilliseconds",
                    "TimeOfLastStateChange", "NumberOfNumaNodes", "ProcessID"),
            List.of("RequestStateChange"));

    /** HealthState: 5 OK, 25 Critical failure. */
    static final long HEALTH_OK = 5;
    static final long HEALTH_CRITICAL = 25;

    @Override
    public CimClass cimClass() {
        return SCHEMA;
    }

    @Override
    public List<CimInstance> instances(ModelView view) {
        List<CimInstance> out = new ArrayList<>();
        out.add(host(view));
        out.addAll(InstanceSource.perVm(view, vm -> List.of(vm(view, vm))));
        return out;
    }

    private static CimInstance host(ModelView view) {
        String name = view.host().hostName();
        return CimInstance.builder(CLASS).key("CreationClassName", CLASS).key("Name", name)
                .set("ElementName", name).set("Caption", "Hosting Computer System")
                .set("Description", "Microsoft Hosting Computer System").set("EnabledState", 2).set("EnabledDefault", 2)
                .set("RequestedState", 12).set("HealthState", HEALTH_OK).set("OperationalStatus", new CimValue.IntArray(List.of(2L)))
                .set("NumberOfNumaNodes", 1).build();
    }

    static CimInstance vm(ModelView view, VmInfo vm) {
        VmState state = view.state(vm);
        boolean failed = state instanceof VmState.Failed;
        Instant changed = view.lastStateChange().get(vm.id());
        return CimInstance.builder(CLASS).key("CreationClassName", CLASS).key("Name", vm.id().toString().toUpperCase())
                .set("ElementName", vm.name()).set("Caption", "Virtual Machine").set("Description", "Microsoft Virtual Machine")
                .set("EnabledState", state.code()).set("EnabledDefault", 2).set("RequestedState", 12)
                .set("HealthState", failed ? HEALTH_CRITICAL : HEALTH_OK)
                .set("OperationalStatus", new CimValue.IntArray(List.of(failed ? 6L : 2L)))
                .set("StatusDescriptions", new CimValue.TextArray(List.of(failed ? state.displayName() : "Operating normally")))
                .set("OnTimeInMilliseconds", view.metrics(vm).uptime().toMillis())
                .set("TimeOfLastStateChange", changed == null ? null : new CimValue.DateTime(changed))
                .set("NumberOfNumaNodes", 1).build();
    }
}
