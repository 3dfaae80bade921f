package dev.parvis.wmi.model;

import dev.parvis.wmi.cim.InvalidParameterException;
import dev.parvis.wmi.cim.ObjectPath;
import java.util.Map;
import java.util.UUID;

/** The object paths of the model's instances, built and taken apart in one place. */
public final class ObjectPaths {
    static final String VM_CLASS = "Msvm_ComputerSystem";
    private static final String PREFIX = "Microsoft:";

    private ObjectPaths() {}

    public static ObjectPath computerSystem(String name) {
        return new ObjectPath(VM_CLASS, Map.of("CreationClassName", VM_CLASS, "Name", name));
    }

    public static ObjectPath computerSystem(UUID vm) {
        return computerSystem(vm.toString().toUpperCase());
    }

    /** InstanceID-keyed setting data of a VM: Microsoft:GUID or Microsoft:GUID\Part. */
    static ObjectPath setting(String className, UUID vm, String part) {
        String id = PREFIX + vm.toString().toUpperCase() + (part == null ? "" : "\\" + part);
        return ObjectPath.of(className, "InstanceID", id);
    }

    /** A device of a VM (integration components, the guest file service). */
    static ObjectPath device(String className, UUID vm, String device) {
        return new ObjectPath(className, Map.of("CreationClassName", className, "DeviceID",
                PREFIX + vm.toString().toUpperCase() + "\\" + device, "SystemCreationClassName", VM_CLASS,
                "SystemName", vm.toString().toUpperCase()));
    }

    static ObjectPath hostService(String className, String name, String host) {
        return new ObjectPath(className, Map.of("CreationClassName", className, "Name", name, "SystemCreationClassName",
                VM_CLASS, "SystemName", host));
    }

    public static ObjectPath job(UUID id) {
        return ObjectPath.of("Msvm_ConcreteJob", "InstanceID", id.toString().toUpperCase());
    }

    /** The VM a path belongs to: its Name/SystemName, or the GUID in its InstanceID or DeviceID. */
    static UUID vmOf(ObjectPath path) {
        String text = path.key("SystemName");
        if (text == null && path.className().equalsIgnoreCase(VM_CLASS)) {
            text = path.key("Name");
        }
        if (text == null) {
            String id = path.key("InstanceID") != null ? path.key("InstanceID") : path.key("DeviceID");
            if (id != null && id.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
                int end = id.indexOf('\\');
                text = id.substring(PREFIX.length(), end < 0 ? id.length() : end);
            }
        }
        if (text == null) {
            throw new InvalidParameterException("'" + path + "' does not name a virtual machine");
        }
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidParameterException("'" + path + "' does not name a virtual machine: " + text + " is not a GUID");
        }
    }

    /** The part after the GUID in an InstanceID (Processor, Memory, Disk\0), or "" for the system's own. */
    static String partOf(ObjectPath path) {
        String id = path.key("InstanceID");
        if (id == null) {
            return "";
        }
        int sep = id.indexOf('\\');
        return sep < 0 ? "" : id.substring(sep + 1);
    }
}
