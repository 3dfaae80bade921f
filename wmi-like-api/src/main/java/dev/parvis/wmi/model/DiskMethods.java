package dev.parvis.wmi.model;

import dev.parvis.root.storage.VirtualDiskSettings;
import dev.parvis.wmi.cim.CimInstance;
import dev.parvis.wmi.cim.CimValue;
import dev.parvis.wmi.cim.InvalidParameterException;
import dev.parvis.wmi.cim.MethodResult;
import dev.parvis.wmi.cim.ReturnCode;
import dev.parvis.wmi.job.JobType;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Msvm_ImageManagementService: CreateVirtualHardDisk, GetVirtualHardDiskSettingData,
 * ResizeVirtualHardDisk, MergeVirtualHardDisk over the root's {@code VirtualDiskService}. Every
 * path is confined to the storage directories first; on a host without disk support the methods
 * then return 32770 (Not supported) with a description.
 */
final class DiskMethods {
    static final String VHD_SETTINGS = "Msvm_VirtualHardDiskSettingData";

    private DiskMethods() {}

    static void register(Methods m) {
        m.register(HostServices.IMS, "CreateVirtualHardDisk", call -> create(m, call));
        m.register(HostServices.IMS, "GetVirtualHardDiskSettingData", call -> {
            Path path = m.host.storage().existingFile(call.in().requiredText("Path"));
            return unsupported(m).orElseGet(() -> {
                try {
                    return MethodResult.completed(Map.of("SettingData", new CimValue.Instances(java.util.List.of(
                            render(m.host.disks().inspect(path))))));
                } catch (java.io.IOException e) {
                    return Methods.error(ReturnCode.FAILED, "cannot read " + path + ": " + e.getMessage());
                }
            });
        });
        m.register(HostServices.IMS, "ResizeVirtualHardDisk", call -> {
            Path path = m.host.storage().existingFile(call.in().requiredText("Path"));
            long size = call.in().requiredInteger("MaxInternalSize");
            return unsupported(m).orElseGet(() -> m.job(call, JobType.DISK_IMAGE, "Resize " + path.getFileName(),
                    HostServices.ims(m.host.hostName()), false, c -> m.host.disks().resize(path, size, c::progress)));
        });
        m.register(HostServices.IMS, "MergeVirtualHardDisk", call -> {
            Path child = m.host.storage().existingFile(call.in().requiredText("SourcePath"));
            Path parent = m.host.storage().existingFile(call.in().requiredText("DestinationPath"));
            return unsupported(m).orElseGet(() -> m.job(call, JobType.MERGE_VHD, "Merge " + child.getFileName(),
                    HostServices.ims(m.host.hostName()), false, c -> m.host.disks().merge(child, parent, c::progress)));
        });
    }

    private static Optional<MethodResult> unsupported(Methods m) {
        return m.host.disks().supported() ? Optional.empty() : Optional.of(Methods.error(ReturnCode.NOT_SUPPORTED,
                "virtual hard disks are not supported on this host yet (no VHDX support installed)"));
    }

    private static MethodResult create(Methods m, Invocation call) {
        Params s = Params.of("CreateVirtualHardDisk", call.in().requiredInstance("VirtualDiskSettingData", VHD_SETTINGS));
        Path path = m.host.storage().newFile(s.requiredText("Path"));
        Optional<Path> parent = s.text("ParentPath").filter(p -> !p.isBlank()).map(p -> m.host.storage().existingFile(p));
        VirtualDiskSettings settings;
        try {
            VirtualDiskSettings.Type type = VirtualDiskSettings.Type.ofCode(s.integer("Type").orElse(3L))
                    .orElseThrow(() -> new InvalidParameterException("Type must be 2 (Fixed), 3 (Dynamic) or 4 (Differencing)"));
            settings = new VirtualDiskSettings(path, type, s.integer("MaxInternalSize").orElse(0L), s.integer("BlockSize").orElse(0L),
                    s.integer("LogicalSectorSize").orElse(512L).intValue(), parent);
        } catch (IllegalArgumentException e) {
            throw new InvalidParameterException("CreateVirtualHardDisk: " + e.getMessage());
        }
        return unsupported(m).orElseGet(() -> m.job(call, JobType.DISK_IMAGE, "Create " + path.getFileName(),
                HostServices.ims(m.host.hostName()), false, c -> m.host.disks().create(settings, c::progress)));
    }

    static CimInstance render(VirtualDiskSettings d) {
        return CimInstance.builder(VHD_SETTINGS).set("Path", d.path().toString()).set("Type", d.type().code()).set("Format", 3)
                .set("MaxInternalSize", d.maxInternalSize()).set("BlockSize", d.blockSize())
                .set("LogicalSectorSize", d.logicalSectorSize()).set("ParentPath", d.parent().map(Path::toString).orElse(null))
                .build();
    }
}
