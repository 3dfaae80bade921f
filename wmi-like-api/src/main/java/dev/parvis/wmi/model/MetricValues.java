package dev.parvis.wmi.model;

import dev.parvis.root.vm.VmManagementService.VmInfo;
import dev.parvis.root.vm.VmMetrics;
import dev.parvis.wmi.cim.CimInstance;
import dev.parvis.wmi.cim.CimValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Msvm_AggregationMetricValue: the counters behind Measure-VM, one instance per VM and metric,
 * associated to the VM by Msvm_MetricForME. MetricValue is a string, as in CIM.
 */
final class MetricValues implements InstanceSource {
    static final String CLASS = "Msvm_AggregationMetricValue";
    static final CimClass SCHEMA = new CimClass(CLASS, List.of("InstanceID"),
            List.of("InstanceID", "ElementName", "MetricDefinitionId", "MetricValue", "Duration", "MeasuredElementName",
                    "TimeStamp"), List.of());

    @Override
    public CimClass cimClass() {
        return SCHEMA;
    }

    @Override
    public List<CimInstance> instances(ModelView view) {
        return InstanceSource.perVm(view, vm -> render(view, vm));
    }

    private static List<CimInstance> render(ModelView view, VmInfo vm) {
        List<CimInstance> out = new ArrayList<>();
        VmMetrics m = view.metrics(vm);
        for (Map.Entry<String, Long> e : values(m).entrySet()) {
            out.add(CimInstance.builder(CLASS)
                    .key("InstanceID", ObjectPaths.setting(CLASS, vm.id(), e.getKey()).key("InstanceID"))
                    .set("ElementName", e.getKey()).set("MetricDefinitionId", "Parvis:" + e.getKey())
                    .set("MetricValue", Long.toString(e.getValue())).set("Duration", new CimValue.Interval(m.uptime()))
                    .set("MeasuredElementName", vm.name()).set("TimeStamp", new CimValue.DateTime(view.now())).build());
        }
        return out;
    }

    static List<String> names() {
        return List.copyOf(values(VmMetrics.NONE).keySet());
    }

    private static Map<String, Long> values(VmMetrics m) {
        Map<String, Long> v = new LinkedHashMap<>();
        v.put("CpuTimeMilliseconds", m.cpuTime().toMillis());
        v.put("UptimeMilliseconds", m.uptime().toMillis());
        v.put("MemoryAssignedBytes", m.memoryAssignedBytes());
        v.put("Hypercalls", m.hypercalls());
        v.put("VmbusBytesIn", m.vmbusBytesIn());
        v.put("VmbusBytesOut", m.vmbusBytesOut());
        v.put("DiskBytes", m.diskBytes());
        v.put("NetworkBytes", m.networkBytes());
        return v;
    }
}
