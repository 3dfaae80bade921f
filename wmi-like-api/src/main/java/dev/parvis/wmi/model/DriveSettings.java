package dev.parvis.wmi.model;

import dev.parvis.root.config.DeviceConfig;
import dev.parvis.root.config.VmConfig;
import dev.parvis.root.storage.DiskAttachment;
import dev.parvis.root.vm.VmRequest;
import dev.parvis.wmi.cim.CimInstance;
import dev.parvis.wmi.cim.CimValue;
import dev.parvis.wmi.cim.InvalidParameterException;
import dev.parvis.wmi.cim.ObjectPath;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A VM's hard disks as Msvm_StorageAllocationSettingData: one instance per disk, identified by its
 * place ({@code Disk\<controller>\<LUN>}, so an instance keeps its path while others come and go).
 * {@code Address} is the SCSI controller's number and {@code AddressOnParent} the LUN, as on
 * Hyper-V's controller and drive settings; {@code HostResource[0]} is the file; {@code Access} is
 * 1 (read) for a read-only disk, 3 (read/write) otherwise (CIM_StorageAllocationSettingData).
 */
final class DriveSettings {
    static final long ACCESS_READ = 1;
    static final long ACCESS_READ_WRITE = 3;

    private DriveSettings() {
    }

    static List<CimInstance> render(VmConfig c) {
        List<CimInstance> out = new ArrayList<>();
        for (DiskAttachment d : attachments(c)) {
            out.add(CimInstance.builder(SettingData.STORAGE)
                    .key("InstanceID", ObjectPaths.setting(SettingData.STORAGE, c.id(), part(d.controller(), d.lun())).key("InstanceID"))
                    .set("ElementName", "Hard Disk Image").set("ResourceType", 31)
                    .set("ResourceSubType", "Microsoft:Hyper-V:Virtual Hard Disk")
                    .set("HostResource", new CimValue.TextArray(List.of(d.path().toString())))
                    .set("Address", Integer.toString(d.controller())).set("AddressOnParent", Integer.toString(d.lun()))
                    .set("Access", d.readOnly() ? ACCESS_READ : ACCESS_READ_WRITE)
                    .build());
        }
        return out;
    }

    /** The disks with their LUNs resolved; a config whose LUNs clash (never written by the host) shows none. */
    private static List<DiskAttachment> attachments(VmConfig c) {
        try {
            return DiskAttachment.of(c.devices());
        } catch (IllegalArgumentException e) {
            return List.of();
        }
    }

    private static String part(int controller, int lun) {
        return "Disk\\" + controller + "\\" + lun;
    }

    /**
     * The disk an added instance describes: {@code HostResource} (resolved inside the storage
     * directories by {@code file}), controller {@code Address} (default 0), LUN {@code AddressOnParent}
     * (default: the next free one), {@code Access} 1 for read-only (default read/write).
     */
    static DeviceConfig.Disk disk(CimInstance sasd, java.util.function.UnaryOperator<String> file) {
        Params p = Params.of("resource settings", sasd);
        String path = file.apply(p.requiredText("HostResource"));
        long controller = p.integer("Address").orElse(0L);
        long lun = p.integer("AddressOnParent").orElse((long) DeviceConfig.Disk.NEXT_FREE_LUN);
        long access = p.integer("Access").orElse(ACCESS_READ_WRITE);
        if (access != ACCESS_READ && access != ACCESS_READ_WRITE) {
            throw new InvalidParameterException("Access must be 1 (read-only) or 3 (read/write): " + access);
        }
        if (controller < 0 || controller >= DiskAttachment.MAX_CONTROLLERS) {
            throw new InvalidParameterException("controller Address %d is outside 0-%d".formatted(controller, DiskAttachment.MAX_CONTROLLERS - 1));
        }
        if (lun < DeviceConfig.Disk.NEXT_FREE_LUN || lun >= DiskAttachment.MAX_LUNS) {
            throw new InvalidParameterException("AddressOnParent (LUN) %d is outside 0-%d".formatted(lun, DiskAttachment.MAX_LUNS - 1));
        }
        return new DeviceConfig.Disk(path, (int) controller, (int) lun, access == ACCESS_READ);
    }

    /** The detach request a reference to one of {@code vm}'s disk instances names. */
    static VmRequest.DetachDisk detach(ObjectPath ref, UUID vm) {
        String part = ObjectPaths.partOf(ref);
        String[] fields = part.split("\\\\");
        if (!ref.className().equalsIgnoreCase(SettingData.STORAGE) || fields.length != 3 || !fields[0].equals("Disk")
                || !ObjectPaths.vmOf(ref).equals(vm)) {
            throw new InvalidParameterException("RemoveResourceSettings removes disks of one VM only: " + ref);
        }
        try {
            return new VmRequest.DetachDisk(Integer.parseInt(fields[1]), Integer.parseInt(fields[2]));
        } catch (NumberFormatException e) {
            throw new InvalidParameterException("no disk " + ref);
        }
    }
}
