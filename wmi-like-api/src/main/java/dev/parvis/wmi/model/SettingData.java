package dev.parvis.wmi.model;

import dev.parvis.root.config.AutomaticStartAction;
import dev.parvis.root.config.AutomaticStopAction;
import dev.parvis.root.config.DeviceConfig;
import dev.parvis.root.config.VmConfig;
import dev.parvis.root.vm.VmManagementService.VmInfo;
import dev.parvis.wmi.cim.CimInstance;
import dev.parvis.wmi.cim.CimValue;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * The settings of each VM, rendered from its {@link VmConfig}: Msvm_VirtualSystemSettingData (the
 * system), Msvm_ProcessorSettingData, Msvm_MemorySettingData and one
 * Msvm_StorageAllocationSettingData per disk.
 */
final class SettingData implements InstanceSource {
    static final String VSSD = "Msvm_VirtualSystemSettingData";
    static final String PROCESSOR = "Msvm_ProcessorSettingData";
    static final String MEMORY = "Msvm_MemorySettingData";
    static final String STORAGE = "Msvm_StorageAllocationSettingData";
    static final String REALIZED = "Microsoft:Hyper-V:System:Realized";

    static final CimClass VSSD_SCHEMA = new CimClass(VSSD, List.of("InstanceID"),
            List.of("InstanceID", "ElementName", "VirtualSystemIdentifier", "VirtualSystemType", "Notes", "AutomaticStartupAction",
                    "AutomaticShutdownAction", "GuestImage", "IntegrationServices", "Version", "ConfigurationDataRoot"), List.of());
    static final CimClass PROCESSOR_SCHEMA = new CimClass(PROCESSOR, List.of("InstanceID"),
            List.of("InstanceID", "ElementName", "ResourceType", "ResourceSubType", "VirtualQuantity", "Reservation", "Limit",
                    "Weight"), List.of());
    static final CimClass MEMORY_SCHEMA = new CimClass(MEMORY, List.of("InstanceID"),
            List.of("InstanceID", "ElementName", "ResourceType", "ResourceSubType", "VirtualQuantity", "AllocationUnits",
                    "Reservation", "Limit", "DynamicMemoryEnabled"), List.of());
    static final CimClass STORAGE_SCHEMA = new CimClass(STORAGE, List.of("InstanceID"),
            List.of("InstanceID", "ElementName", "ResourceType", "ResourceSubType", "HostResource", "Address", "AddressOnParent",
                    "Access"), List.of());

    private final CimClass schema;
    private final BiFunction<ModelView, VmInfo, List<CimInstance>> render;

    private SettingData(CimClass schema, BiFunction<ModelView, VmInfo, List<CimInstance>> render) {
        this.schema = schema;
        this.render = render;
    }

    static List<InstanceSource> all() {
        return List.of(new SettingData(VSSD_SCHEMA, (v, vm) -> List.of(system(v, vm.config()))),
                new SettingData(PROCESSOR_SCHEMA, (v, vm) -> List.of(processor(vm.config()))),
                new SettingData(MEMORY_SCHEMA, (v, vm) -> List.of(memory(vm.config()))),
                new SettingData(STORAGE_SCHEMA, (v, vm) -> DriveSettings.render(vm.config())));
    }

    @Override
    public CimClass cimClass() {
        return schema;
    }

    @Override
    public List<CimInstance> instances(ModelView view) {
        return InstanceSource.perVm(view, vm -> render.apply(view, vm));
    }

    static CimInstance system(ModelView view, VmConfig c) {
        return CimInstance.builder(VSSD).key("InstanceID", ObjectPaths.setting(VSSD, c.id(), null).key("InstanceID"))
                .set("ElementName", c.name()).set("VirtualSystemIdentifier", c.id().toString().toUpperCase())
                .set("VirtualSystemType", REALIZED)
                .set("Notes", new CimValue.TextArray(c.notes().isEmpty() ? List.of() : List.of(c.notes())))
                .set("AutomaticStartupAction", startCode(c.automaticStartAction()))
                .set("AutomaticShutdownAction", stopCode(c.automaticStopAction()))
                .set("GuestImage", c.image()).set("IntegrationServices", new CimValue.TextArray(integrationServices(c)))
                .set("Version", Integer.toString(c.configVersion())).build();
    }

    static List<String> integrationServices(VmConfig c) {
        List<String> out = new ArrayList<>();
        for (DeviceConfig d : c.devices()) {
            if (d instanceof DeviceConfig.IntegrationServices is) {
                if (is.heartbeat()) {
                    out.add("Heartbeat");
                }
                if (is.shutdown()) {
                    out.add("Shutdown");
                }
                if (is.timeSync()) {
                    out.add("Time Synchronization");
                }
                if (is.kvp()) {
                    out.add("Key-Value Pair Exchange");
                }
                if (is.fileCopy()) {
                    out.add("Guest Service Interface");
                }
            }
        }
        return out;
    }

    static CimInstance processor(VmConfig c) {
        return CimInstance.builder(PROCESSOR).key("InstanceID", ObjectPaths.setting(PROCESSOR, c.id(), "Processor").key("InstanceID"))
                .set("ElementName", "Processor").set("ResourceType", 3).set("ResourceSubType", "Microsoft:Hyper-V:Processor")
                .set("VirtualQuantity", c.vcpuCount())
                // Reservation and Limit are in 1/1000 of a percent of one logical processor, as in Hyper-V.
                .set("Reservation", c.cpu().reservePercent() * 1000L).set("Limit", c.cpu().limitPercent() * 1000L)
                .set("Weight", c.cpu().weight()).build();
    }

    static CimInstance memory(VmConfig c) {
        return CimInstance.builder(MEMORY).key("InstanceID", ObjectPaths.setting(MEMORY, c.id(), "Memory").key("InstanceID"))
                .set("ElementName", "Memory").set("ResourceType", 4).set("ResourceSubType", "Microsoft:Hyper-V:Memory")
                .set("VirtualQuantity", c.memoryMiB()).set("AllocationUnits", "byte * 2^20")
                .set("Reservation", c.memoryMiB()).set("Limit", c.memoryMiB()).set("DynamicMemoryEnabled", false).build();
    }

    /** AutomaticStartupAction: 2 None, 3 Restart if previously active, 4 Always startup. */
    static long startCode(AutomaticStartAction a) {
        return switch (a) {
            case NOTHING -> 2;
            case START_IF_RUNNING -> 3;
            case START -> 4;
        };
    }

    /** AutomaticShutdownAction: 2 Turn Off, 3 Save state, 4 Shut down. */
    static long stopCode(AutomaticStopAction a) {
        return switch (a) {
            case TURN_OFF -> 2;
            case SAVE -> 3;
            case SHUT_DOWN -> 4;
        };
    }
}
