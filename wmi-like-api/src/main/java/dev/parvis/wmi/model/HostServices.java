package dev.parvis.wmi.model;

import dev.parvis.wmi.cim.CimInstance;
import dev.parvis.wmi.cim.ObjectPath;
import java.util.List;

/** The host's singleton services: Msvm_VirtualSystemManagementService and Msvm_ImageManagementService. */
final class HostServices implements InstanceSource {
    static final String VSMS = "Msvm_VirtualSystemManagementService";
    static final String IMS = "Msvm_ImageManagementService";
    static final CimClass VSMS_SCHEMA = new CimClass(VSMS, List.of("CreationClassName", "Name", "SystemCreationClassName", "SystemName"),
            List.of("CreationClassName", "Name", "SystemCreationClassName", "SystemName", "ElementName", "Caption", "EnabledState",
                    "HealthState"),
            List.of("DefineSystem", "DestroySystem", "ModifySystemSettings", "AddResourceSettings", "RemoveResourceSettings",
                    "ModifyResourceSettings", "GetSummaryInformation", "AddKvpItems"));
    static final CimClass IMS_SCHEMA = new CimClass(IMS, VSMS_SCHEMA.keys(), VSMS_SCHEMA.properties(),
            List.of("CreateVirtualHardDisk", "GetVirtualHardDiskSettingData", "ResizeVirtualHardDisk", "MergeVirtualHardDisk"));

    private final CimClass schema;
    private final String name;
    private final String elementName;

    private HostServices(CimClass schema, String name, String elementName) {
        this.schema = schema;
        this.name = name;
        this.elementName = elementName;
    }

    static List<InstanceSource> all() {
        return List.of(new HostServices(VSMS_SCHEMA, "vmms", "Virtual System Management Service"),
                new HostServices(IMS_SCHEMA, "vhdsvc", "Image Management Service"));
    }

    static ObjectPath vsms(String host) {
        return ObjectPaths.hostService(VSMS, "vmms", host);
    }

    static ObjectPath ims(String host) {
        return ObjectPaths.hostService(IMS, "vhdsvc", host);
    }

    @Override
    public CimClass cimClass() {
        return schema;
    }

    @Override
    public List<CimInstance> instances(ModelView view) {
        CimInstance.Builder b = CimInstance.builder(schema.name());
        ObjectPaths.hostService(schema.name(), name, view.host().hostName()).keys().forEach(b::key);
        return List.of(b.set("ElementName", elementName).set("Caption", elementName).set("EnabledState", 2)
                .set("HealthState", ComputerSystems.HEALTH_OK).build());
    }
}
