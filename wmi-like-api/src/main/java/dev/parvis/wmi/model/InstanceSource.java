package dev.parvis.wmi.model;

import dev.parvis.root.vm.VmManagementService.VmInfo;
import dev.parvis.wmi.cim.CimInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Renders every instance of one class from a view of the host. */
interface InstanceSource {
    CimClass cimClass();

    List<CimInstance> instances(ModelView view);

    /** The instances {@code render} makes of each VM of the view, in the view's order. */
    static List<CimInstance> perVm(ModelView view, Function<VmInfo, List<CimInstance>> render) {
        List<CimInstance> out = new ArrayList<>();
        for (VmInfo vm : view.vms()) {
            out.addAll(render.apply(vm));
        }
        return out;
    }
}
