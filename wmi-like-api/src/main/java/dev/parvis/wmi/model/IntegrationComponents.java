package dev.parvis.wmi.model;

import dev.parvis.abi.ic.IcConstants;
import dev.parvis.abi.ic.KvpValue;
import dev.parvis.devices.ic.IcException;
import dev.parvis.devices.ic.IcStatus;
import dev.parvis.devices.ic.IntegrationServices;
import dev.parvis.root.vm.VmManagementService.VmInfo;
import dev.parvis.wmi.cim.CimInstance;
import dev.parvis.wmi.cim.CimValue;
import dev.parvis.wmi.cim.ObjectPath;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The integration components of each VM that has the integration services device:
 * Msvm_HeartbeatComponent, Msvm_ShutdownComponent, Msvm_TimeSyncComponent,
 * Msvm_KvpExchangeComponent (with the guest's intrinsic and guest-pool items as embedded
 * Msvm_KvpExchangeDataItem instances), Msvm_GuestServiceInterfaceComponent, plus
 * Msvm_KvpExchangeComponentSettingData (the items the host set) and Msvm_GuestFileService
 * (CopyFilesToGuest). OperationalStatus: 2 OK, 3 Degraded, 12 No Contact, 13 Lost Communication.
 */
final class IntegrationComponents implements InstanceSource {
    private static final Logger LOG = LoggerFactory.getLogger(IntegrationComponents.class);
    static final String HEARTBEAT = "Msvm_HeartbeatComponent";
    static final String SHUTDOWN = "Msvm_ShutdownComponent";
    static final String TIME_SYNC = "Msvm_TimeSyncComponent";
    static final String KVP = "Msvm_KvpExchangeComponent";
    static final String GSI = "Msvm_GuestServiceInterfaceComponent";
    static final String KVP_SETTINGS = "Msvm_KvpExchangeComponentSettingData";
    static final String FILE_SERVICE = "Msvm_GuestFileService";
    static final String KVP_ITEM = "Msvm_KvpExchangeDataItem";

    private static final List<String> DEVICE_KEYS = List.of("CreationClassName", "DeviceID", "SystemCreationClassName", "SystemName");
    private static final List<String> COMMON = List.of("CreationClassName", "DeviceID", "SystemCreationClassName", "SystemName",
            "ElementName", "EnabledState", "OperationalStatus", "StatusDescriptions");

    private final CimClass schema;
    private final String service;
    private final String elementName;

    private IntegrationComponents(String className, String service, String elementName, List<String> extra, List<String> methods) {
        List<String> props = new ArrayList<>(COMMON);
        props.addAll(extra);
        this.schema = new CimClass(className, DEVICE_KEYS, props, methods);
        this.service = service;
        this.elementName = elementName;
    }

    static List<InstanceSource> all() {
        return List.of(new IntegrationComponents(HEARTBEAT, "heartbeat", "Heartbeat", List.of(), List.of()),
                new IntegrationComponents(SHUTDOWN, "shutdown", "Shutdown", List.of(), List.of("InitiateShutdown")),
                new IntegrationComponents(TIME_SYNC, "timesync", "Time Synchronization", List.of(), List.of()),
                new IntegrationComponents(KVP, "kvp", "Key-Value Pair Exchange",
                        List.of("GuestIntrinsicExchangeItems", "GuestExchangeItems"), List.of()),
                new IntegrationComponents(GSI, "fcopy", "Guest Service Interface", List.of(), List.of()),
                new IntegrationComponents(FILE_SERVICE, "fcopy", "Guest File Service", List.of(), List.of("CopyFilesToGuest")),
                new KvpSettings());
    }

    static ObjectPath path(String className, VmInfo vm) {
        return ObjectPaths.device(className, vm.id(), className.substring("Msvm_".length()));
    }

    @Override
    public CimClass cimClass() {
        return schema;
    }

    @Override
    public List<CimInstance> instances(ModelView view) {
        return InstanceSource.perVm(view, vm -> {
            IcStatus status = view.integration(vm).get(service);
            return status == null ? List.of() : List.of(render(view, vm, status));
        });
    }

    private CimInstance render(ModelView view, VmInfo vm, IcStatus status) {
        CimInstance.Builder b = CimInstance.builder(schema.name());
        path(schema.name(), vm).keys().forEach(b::key);
        boolean enabled = !(status instanceof IcStatus.Disabled);
        b.set("ElementName", elementName).set("EnabledState", enabled ? 2 : 3);
        if (enabled) {
            b.set("OperationalStatus", new CimValue.IntArray(List.of(operationalStatus(status))))
                    .set("StatusDescriptions", new CimValue.TextArray(List.of(describe(status))));
        }
        if (schema.name().equals(KVP) && status instanceof IcStatus.Ok) {
            live(view, vm).ifPresent(ics -> {
                b.set("GuestIntrinsicExchangeItems", items(ics.kvp().guestIntrinsicItems(), 2));
                b.set("GuestExchangeItems", pool(ics, IcConstants.KVP_POOL_GUEST, 1));
            });
        }
        return b.build();
    }

    static long operationalStatus(IcStatus s) {
        return switch (s) {
            case IcStatus.Ok ok -> 2;
            case IcStatus.Degraded d -> 3;
            case IcStatus.NoContact n -> 12;
            case IcStatus.LostCommunication l -> 13;
            case IcStatus.Disabled d -> 0;
        };
    }

    static String describe(IcStatus s) {
        return switch (s) {
            case IcStatus.Ok ok -> "OK";
            case IcStatus.Degraded d -> "Degraded: " + d.reason();
            case IcStatus.NoContact n -> "No Contact";
            case IcStatus.LostCommunication l -> "Lost Communication";
            case IcStatus.Disabled d -> "Disabled";
        };
    }

    static Optional<IntegrationServices> live(ModelView view, VmInfo vm) {
        try {
            return view.service().integrationServices(vm.id());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Embedded Msvm_KvpExchangeDataItem instances; Source: 0 host, 1 guest, 2 guest intrinsic. */
    static CimValue items(Map<String, String> items, int source) {
        List<CimInstance> out = new ArrayList<>();
        items.forEach((k, v) -> out.add(CimInstance.builder(KVP_ITEM).set("Name", k).set("Data", v).set("Source", source).build()));
        return new CimValue.Instances(out);
    }

    /** A guest pool read through the KVP service (bounded by the service's timeout and item limit); NULL on failure. */
    static CimValue pool(IntegrationServices ics, byte pool, int source) {
        try {
            Map<String, String> items = new java.util.LinkedHashMap<>();
            for (KvpValue v : ics.kvp().enumerate(pool)) {
                items.put(v.keyString(), v.valueString());
            }
            return items(items, source);
        } catch (IcException | RuntimeException e) {
            LOG.debug("reading KVP pool {}: {}", pool, e.getMessage());
            return null;
        }
    }

    /** Msvm_KvpExchangeComponentSettingData: HostExchangeItems, the items the host set in the guest (its external pool). */
    private static final class KvpSettings implements InstanceSource {
        static final CimClass SCHEMA = new CimClass(KVP_SETTINGS, List.of("InstanceID"),
                List.of("InstanceID", "ElementName", "HostExchangeItems"), List.of());

        @Override
        public CimClass cimClass() {
            return SCHEMA;
        }

        @Override
        public List<CimInstance> instances(ModelView view) {
            List<CimInstance> out = new ArrayList<>();
            for (VmInfo vm : view.vms()) {
                if (view.integration(vm).get("kvp") instanceof IcStatus status && !(status instanceof IcStatus.Disabled)) {
                    CimInstance.Builder b = CimInstance.builder(KVP_SETTINGS)
                            .key("InstanceID", ObjectPaths.setting(KVP_SETTINGS, vm.id(), "KvpExchange").key("InstanceID"))
                            .set("ElementName", "Key-Value Pair Exchange");
                    if (status instanceof IcStatus.Ok) {
                        live(view, vm).ifPresent(ics -> b.set("HostExchangeItems", pool(ics, IcConstants.KVP_POOL_EXTERNAL, 0)));
                    }
                    out.add(b.build());
                }
            }
            return out;
        }
    }
}
