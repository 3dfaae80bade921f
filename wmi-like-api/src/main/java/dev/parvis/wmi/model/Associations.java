package dev.parvis.wmi.model;

import dev.parvis.devices.ic.IcStatus;
import dev.parvis.root.vm.VmManagementService.VmInfo;
import dev.parvis.wmi.cim.CimInstance;
import dev.parvis.wmi.cim.CimValue;
import dev.parvis.wmi.cim.ObjectPath;
import dev.parvis.wmi.job.Job;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The association classes: each instance holds two references, so ASSOCIATORS OF and REFERENCES
 * OF navigate them from either end. Msvm_SettingsDefineState (VM - its settings),
 * Msvm_VirtualSystemSettingDataComponent (settings - processor, memory, disks, KVP settings),
 * Msvm_SystemDevice (VM - integration components), Msvm_AffectedJobElement (VM - job),
 * Msvm_MetricForME (VM - metric values), Msvm_HostedService (host - services).
 */
final class Associations implements InstanceSource {
    private final CimClass schema;
    private final BiConsumer<ModelView, Pairs> pairs;

    private Associations(String name, String left, String right, BiConsumer<ModelView, Pairs> pairs) {
        this.schema = new CimClass(name, List.of(left, right), List.of(left, right), List.of());
        this.pairs = pairs;
    }

    /** Collects (left, right) reference pairs. */
    private record Pairs(List<ObjectPath[]> list) {
        void add(ObjectPath left, ObjectPath right) {
            list.add(new ObjectPath[] {left, right});
        }
    }

    static List<InstanceSource> all() {
        return List.of(
                new Associations("Msvm_SettingsDefineState", "ManagedElement", "SettingData", (v, p) -> {
                    for (VmInfo vm : v.vms()) {
                        p.add(ObjectPaths.computerSystem(vm.id()), vssd(vm));
                    }
                }),
                new Associations("Msvm_VirtualSystemSettingDataComponent", "GroupComponent", "PartComponent",
                        Associations::settingParts),
                new Associations("Msvm_SystemDevice", "GroupComponent", "PartComponent", Associations::devices),
                new Associations("Msvm_AffectedJobElement", "AffectedElement", "AffectingElement", (v, p) -> {
                    for (Job.Snapshot j : v.jobs().snapshots()) {
                        j.affected().ifPresent(a -> p.add(a, ObjectPaths.job(j.id())));
                    }
                }),
                new Associations("Msvm_MetricForME", "Antecedent", "Dependent", (v, p) -> {
                    for (VmInfo vm : v.vms()) {
                        for (String metric : MetricValues.names()) {
                            p.add(ObjectPaths.computerSystem(vm.id()), ObjectPaths.setting(MetricValues.CLASS, vm.id(), metric));
                        }
                    }
                }),
                new Associations("Msvm_HostedService", "Antecedent", "Dependent", (v, p) -> {
                    ObjectPath host = ObjectPaths.computerSystem(v.host().hostName());
                    p.add(host, HostServices.vsms(v.host().hostName()));
                    p.add(host, HostServices.ims(v.host().hostName()));
                }));
    }

    private static ObjectPath vssd(VmInfo vm) {
        return ObjectPaths.setting(SettingData.VSSD, vm.id(), null);
    }

    private static void settingParts(ModelView v, Pairs p) {
        for (VmInfo vm : v.vms()) {
            ObjectPath system = vssd(vm);
            p.add(system, SettingData.processor(vm.config()).path());
            p.add(system, SettingData.memory(vm.config()).path());
            for (CimInstance disk : DriveSettings.render(vm.config())) {
                p.add(system, disk.path());
            }
            if (v.integration(vm).get("kvp") instanceof IcStatus s && !(s instanceof IcStatus.Disabled)) {
                p.add(system, ObjectPaths.setting(IntegrationComponents.KVP_SETTINGS, vm.id(), "KvpExchange"));
            }
        }
    }

    private static void devices(ModelView v, Pairs p) {
        for (VmInfo vm : v.vms()) {
            Map<String, IcStatus> ics = v.integration(vm);
            ObjectPath system = ObjectPaths.computerSystem(vm.id());
            add(p, system, vm, ics, "heartbeat", IntegrationComponents.HEARTBEAT);
            add(p, system, vm, ics, "shutdown", IntegrationComponents.SHUTDOWN);
            add(p, system, vm, ics, "timesync", IntegrationComponents.TIME_SYNC);
            add(p, system, vm, ics, "kvp", IntegrationComponents.KVP);
            add(p, system, vm, ics, "fcopy", IntegrationComponents.GSI);
            add(p, system, vm, ics, "fcopy", IntegrationComponents.FILE_SERVICE);
        }
    }

    private static void add(Pairs p, ObjectPath system, VmInfo vm, Map<String, IcStatus> ics, String service, String cls) {
        if (ics.containsKey(service)) {
            p.add(system, IntegrationComponents.path(cls, vm));
        }
    }

    @Override
    public CimClass cimClass() {
        return schema;
    }

    @Override
    public List<CimInstance> instances(ModelView view) {
        Pairs p = new Pairs(new ArrayList<>());
        pairs.accept(view, p);
        String left = schema.keys().get(0);
        String right = schema.keys().get(1);
        List<CimInstance> out = new ArrayList<>();
        for (ObjectPath[] pair : p.list()) {
            ObjectPath path = new ObjectPath(schema.name(), Map.of(left, pair[0].toString(), right, pair[1].toString()));
            Map<String, CimValue> refs = new java.util.LinkedHashMap<>();
            refs.put(left, new CimValue.Ref(pair[0]));
            refs.put(right, new CimValue.Ref(pair[1]));
            out.add(new CimInstance(path, refs));
        }
        return out;
    }
}
