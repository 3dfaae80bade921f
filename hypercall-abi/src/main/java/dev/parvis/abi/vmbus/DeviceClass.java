package dev.parvis.abi.vmbus;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Interface-type GUIDs of VMBus device classes (reference section 8), carried in
 * {@link OfferChannel#interfaceType()}, plus Parvis's own test device class {@link #ECHO}.
 * Exported to C as {@code VMBUS_DEVICE_<NAME>_GUID} initializer macros.
 */
public final class DeviceClass {
    /** Synthetic SCSI (storvsc), Linux HV_SCSI_GUID. */
    public static final Guid SCSI = Guid.parse("ba6163d9-04a1-4d29-b605-72e2ffb1dc7f");
    /** IDE accelerator (storvsc for emulated IDE disks), HV_IDE_GUID. */
    public static final Guid IDE = Guid.parse("32412632-86cb-44a2-9b5c-50d1417354f5");
    /** Synthetic Fibre Channel, HV_SYNTHFC_GUID. */
    public static final Guid SYNTHETIC_FC = Guid.parse("2f9bcc4a-0069-4af3-b76b-6fd0be528cda");
    /** Network (netvsc), HV_NIC_GUID. */
    public static final Guid NIC = Guid.parse("f8615163-df3e-46c5-913f-f2d2f965ed0e");
    /** NetworkDirect / RDMA, HV_ND_GUID. */
    public static final Guid NETWORK_DIRECT = Guid.parse("8c2eaf3d-32a7-4b09-ab99-bd1f1c86b501");
    /** PCI Express pass-through (vPCI), HV_PCIE_GUID. */
    public static final Guid PCIE = Guid.parse("44c4f61d-4444-4400-9d52-802e27ede19f");
    /** Synthetic video (framebuffer), HV_SYNTHVID_GUID. */
    public static final Guid SYNTHETIC_VIDEO = Guid.parse("da0a7802-e377-4aac-8e77-0558eb1073f8");
    /** Keyboard, HV_KBD_GUID. */
    public static final Guid KEYBOARD = Guid.parse("f912ad6d-2b17-48ea-bd65-f927a61c7684");
    /** Mouse (HID), HV_MOUSE_GUID. */
    public static final Guid MOUSE = Guid.parse("cfa8b69e-5b4a-4cc0-b98b-8ba1a1f3f95a");
    /** Key-value pair integration service, HV_KVP_GUID. */
    public static final Guid KVP = Guid.parse("a9a0f4e7-5a45-4d96-b827-8a841e8c03e6");
    /** Time sync integration service, HV_TS_GUID. */
    public static final Guid TIME_SYNC = Guid.parse("9527e630-d0ae-497b-adce-e80ab0175caf");
    /** Heartbeat integration service, HV_HEART_BEAT_GUID. */
    public static final Guid HEARTBEAT = Guid.parse("57164f39-9115-4e78-ab55-382f3bd5422d");
    /** Shutdown integration service, HV_SHUTDOWN_GUID. */
    public static final Guid SHUTDOWN = Guid.parse("0e0b6031-5213-4934-818b-38d90ced39db");
    /** VSS (backup) integration service, HV_VSS_GUID. */
    public static final Guid VSS = Guid.parse("35fa2e29-ea23-4236-96ae-3a6ebacba440");
    /** Guest file copy integration service, HV_FCOPY_GUID. */
    public static final Guid FILE_COPY = Guid.parse("34d14be3-dee4-41c8-9ae7-6b174977c192");
    /** Dynamic memory (balloon), HV_DM_GUID. */
    public static final Guid DYNAMIC_MEMORY = Guid.parse("525074dc-8985-46e2-8057-a307dc18a502");
    /** Automatic VM activation #1, HV_AVMA1_GUID. */
    public static final Guid AVMA1 = Guid.parse("f8e65716-3cb3-4a06-9a60-1889c5cccab5");
    /** Automatic VM activation #2 ("inherited activation"), HV_AVMA2_GUID. */
    public static final Guid AVMA2 = Guid.parse("3375baf4-9e15-4b30-b765-67acb10d607b");
    /** Remote Desktop Virtualization, HV_RDV_GUID. */
    public static final Guid REMOTE_DESKTOP_VIRTUALIZATION = Guid.parse("276aacf4-ac15-426c-98dd-7521ad3f01fe");
    /** Initial Machine Configuration, HV_IMC_GUID. */
    public static final Guid INITIAL_MACHINE_CONFIGURATION = Guid.parse("c376c1c3-d276-48d2-90a9-c04748072c60");
    /** Parvis test device class: the root echoes every packet back. */
    public static final Guid ECHO = Guid.parse("7a0c6d1e-4e9b-4f2a-8d35-50415256495e");

    private static final Map<Guid, String> NAMES = scan();

    private DeviceClass() {
    }

    /** Every constant by name, in declaration order. */
    public static Map<String, Guid> all() {
        Map<String, Guid> out = new LinkedHashMap<>();
        NAMES.forEach((guid, name) -> out.put(name, guid));
        return out;
    }

    /** The constant's name for a device class GUID, if this table knows it. */
    public static Optional<String> nameOf(Guid interfaceType) {
        return Optional.ofNullable(NAMES.get(interfaceType));
    }

    private static Map<Guid, String> scan() {
        Map<Guid, String> names = new LinkedHashMap<>();
        for (Field f : DeviceClass.class.getDeclaredFields()) {
            int m = f.getModifiers();
            if (f.getType() == Guid.class && Modifier.isPublic(m) && Modifier.isStatic(m) && Modifier.isFinal(m)) {
                try {
                    names.putIfAbsent((Guid) f.get(null), f.getName());
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException("cannot read " + f, e);
                }
            }
        }
        return names;
    }
}
