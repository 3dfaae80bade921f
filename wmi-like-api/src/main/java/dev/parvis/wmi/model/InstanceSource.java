package dev.parvis.wmi.model;

import dev.parvis.wmi.cim.CimInstance;
import java.util.List;

/** Renders every instance of one class from a view of the host. */
interface InstanceSource {
    CimClass cimClass();

    List<CimInstance> instances(ModelView view);
}
