package dev.parvis.wmi.model;

import dev.parvis.root.config.AutomaticStartAction;
import dev.parvis.root.config.AutomaticStopAction;
import dev.parvis.root.config.CpuControls;
import dev.parvis.root.config.DeviceConfig;
import dev.parvis.root.config.VmConfig;
import dev.parvis.root.vm.VmException;
import dev.parvis.root.vm.VmManagementService;
import dev.parvis.root.vm.VmManagementService.VmInfo;
import dev.parvis.root.vm.VmRequest;
import dev.parvis.wmi.cim.CimInstance;
import dev.parvis.wmi.cim.CimValue;
import dev.parvis.wmi.cim.InvalidParameterException;
import dev.parvis.wmi.cim.MethodResult;
import dev.parvis.wmi.cim.ObjectPath;
import dev.parvis.wmi.cim.ReturnCode;
import dev.parvis.wmi.job.JobControl;
import dev.parvis.wmi.job.JobType;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Msvm_VirtualSystemManagementService's methods over VM configurations: DefineSystem,
 * DestroySystem, ModifySystemSettings, AddResourceSettings, RemoveResourceSettings,
 * ModifyResourceSettings and GetSummaryInformation. Settings arrive as embedded instances of the
 * classes the model renders, so what a query returns can be edited and sent back.
 */
final class SystemMethods {
    private SystemMethods() {}

    static void register(Methods m) {
        m.register(HostServices.VSMS, "DefineSystem", call -> define(m, call));
        m.register(HostServices.VSMS, "DestroySystem", call -> {
            VmInfo vm = VmMethods.vm(call, ObjectPaths.vmOf(call.in().requiredPath("AffectedSystem")));
            return m.vmJob(call, vm.id(), JobType.DESTROY_VM, "Destroy '" + vm.name() + "'", new VmRequest.Delete());
        });
        m.register(HostServices.VSMS, "ModifySystemSettings", call -> modifySystem(m, call));
        m.register(HostServices.VSMS, "ModifyResourceSettings", call -> modifyResources(m, call));
        m.register(HostServices.VSMS, "AddResourceSettings", call -> addResources(m, call));
        m.register(HostServices.VSMS, "RemoveResourceSettings", call -> removeResources(m, call));
        m.register(HostServices.VSMS, "GetSummaryInformation", SystemMethods::summary);
    }

    private static MethodResult define(Methods m, Invocation call) {
        CimInstance settings = call.in().requiredInstance("SystemSettings", SettingData.VSSD);
        Params s = Params.of("DefineSystem", settings);
        VmConfig config;
        try {
            config = VmConfig.create(s.requiredText("ElementName"), guestImage(m, s.requiredText("GuestImage")))
                    .withDevices(List.of(DeviceConfig.IntegrationServices.DEFAULT));
            config = systemSettings(m, config, s);
            for (CimInstance r : call.in().instances("ResourceSettings")) {
                config = resource(m, config, r, true);
            }
        } catch (IllegalArgumentException e) {
            throw new InvalidParameterException("DefineSystem: " + e.getMessage());
        }
        try {
            if (call.in().bool("Start").orElse(false)) {
                return defineAndStart(m, call, config);
            }
            VmInfo vm = m.service.create(config);
            return MethodResult.completed(Map.of("ResultingSystem", new CimValue.Ref(ObjectPaths.computerSystem(vm.id()))));
        } catch (VmException e) {
            return Methods.error(ReturnCode.INVALID_PARAMETER, e.getMessage());
        }
    }

    /**
     * DefineSystem with Start = true (a Parvis parameter; New-VM -Start): the VM is defined and started
     * in one request, its partition built while its configuration is written
     * ({@link dev.parvis.root.vm.VmManagementService#createAndStart}). Returns as DefineSystem does,
     * once the VM exists durably: 4096 with the ResultingSystem and the Job of its start, which reports
     * the start's real steps and ends when the VM is Running (or fails as RequestStateChange's would).
     */
    private static MethodResult defineAndStart(Methods m, Invocation call, VmConfig config) {
        AtomicInteger reached = new AtomicInteger();
        AtomicReference<JobControl> job = new AtomicReference<>();
        VmManagementService.Created created = m.service.createAndStart(config, percent -> {
            reached.accumulateAndGet(percent, Math::max);
            JobControl control = job.get();
            if (control != null) {
                control.progress(percent);
            }
        });
        ObjectPath vm = ObjectPaths.computerSystem(created.vm().id());
        MethodResult started = m.job(call, JobType.START, "Start '" + config.name() + "'", vm, false, control -> {
            job.set(control);
            control.progress(reached.get());
            created.running().get(Methods.REQUEST_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        });
        Map<String, CimValue> out = new java.util.HashMap<>(started.outParameters());
        out.put("ResultingSystem", new CimValue.Ref(vm));
        return new MethodResult(started.returnValue(), started.job(), out);
    }

    /** A guest name under the guests directory, or a file inside the storage directories (as its real path). */
    static String guestImage(Methods m, String image) {
        if (image.contains("/") || image.endsWith(".elf")) {
            return m.host.storage().existingFile(image).toString();
        }
        if (!image.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}") || !Files.isRegularFile(m.host.guestsDir().resolve(image + ".elf"))) {
            throw new InvalidParameterException("GuestImage '" + image + "' is not a built guest in " + m.host.guestsDir());
        }
        return image;
    }

    /** The VSSD properties a caller may set: name, notes, automatic actions, guest image, integration services. */
    private static VmConfig systemSettings(Methods m, VmConfig c, Params s) {
        VmConfig out = c;
        if (s.has("ElementName")) {
            out = out.withName(s.requiredText("ElementName"));
        }
        if (s.get("Notes").isPresent()) {
            out = out.withNotes(s.get("Notes").get() instanceof CimValue.TextArray a ? String.join("\n", a.value())
                    : s.requiredText("Notes"));
        }
        Optional<Long> start = s.integer("AutomaticStartupAction");
        if (start.isPresent()) {
            out = out.withAutomaticStartAction(switch (start.get().intValue()) {
                case 2 -> AutomaticStartAction.NOTHING;
                case 3 -> AutomaticStartAction.START_IF_RUNNING;
                case 4 -> AutomaticStartAction.START;
                default -> throw new InvalidParameterException("AutomaticStartupAction must be 2, 3 or 4: " + start.get());
            });
        }
        Optional<Long> stop = s.integer("AutomaticShutdownAction");
        if (stop.isPresent()) {
            out = out.withAutomaticStopAction(switch (stop.get().intValue()) {
                case 2 -> AutomaticStopAction.TURN_OFF;
                case 3 -> AutomaticStopAction.SAVE;
                case 4 -> AutomaticStopAction.SHUT_DOWN;
                default -> throw new InvalidParameterException("AutomaticShutdownAction must be 2, 3 or 4: " + stop.get());
            });
        }
        if (s.has("GuestImage") && !s.requiredText("GuestImage").equals(c.image())) {
            out = out.withImage(guestImage(m, s.requiredText("GuestImage")));
        }
        if (s.get("IntegrationServices").orElse(null) instanceof CimValue.TextArray names) {
            out = out.withDevices(withIntegrationServices(out.devices(), names.value()));
        }
        return out;
    }

    private static List<DeviceConfig> withIntegrationServices(List<DeviceConfig> devices, List<String> names) {
        List<String> known = List.of("Heartbeat", "Shutdown", "Time Synchronization", "Key-Value Pair Exchange", "Guest Service Interface");
        for (String n : names) {
            if (known.stream().noneMatch(k -> k.equalsIgnoreCase(n))) {
                throw new InvalidParameterException("unknown integration service '" + n + "'; known: " + known);
            }
        }
        java.util.function.Predicate<String> on = k -> names.stream().anyMatch(n -> n.equalsIgnoreCase(k));
        List<DeviceConfig> out = new ArrayList<>(devices.stream().filter(d -> !(d instanceof DeviceConfig.IntegrationServices)).toList());
        if (!names.isEmpty()) {
            out.add(new DeviceConfig.IntegrationServices(on.test(known.get(0)), on.test(known.get(1)), on.test(known.get(2)),
                    on.test(known.get(3)), on.test(known.get(4))));
        }
        return out;
    }

    /** Applies one resource setting (processor, memory; a disk when {@code adding}). */
    private static VmConfig resource(Methods m, VmConfig c, CimInstance r, boolean adding) {
        Params p = Params.of("resource settings", r);
        String cls = r.className();
        if (cls.equalsIgnoreCase(SettingData.PROCESSOR)) {
            VmConfig out = c.withVcpuCount(p.integer("VirtualQuantity").map(Long::intValue).orElse(c.vcpuCount()));
            CpuControls cpu = new CpuControls(p.integer("Weight").map(Long::intValue).orElse(c.cpu().weight()),
                    p.integer("Reservation").map(v -> (int) (v / 1000)).orElse(c.cpu().reservePercent()),
                    p.integer("Limit").map(v -> (int) (v / 1000)).orElse(c.cpu().limitPercent()));
            return out.withCpu(cpu);
        }
        if (cls.equalsIgnoreCase(SettingData.MEMORY)) {
            return c.withMemoryMiB(p.integer("VirtualQuantity").orElse(c.memoryMiB()));
        }
        if (cls.equalsIgnoreCase(SettingData.STORAGE) && adding) {
            List<DeviceConfig> devices = new ArrayList<>(c.devices());
            devices.add(DriveSettings.disk(r, file -> m.host.storage().existingFile(file).toString()));
            return c.withDevices(devices);
        }
        throw new InvalidParameterException("cannot " + (adding ? "add" : "modify") + " resource settings of class " + cls);
    }

    private static MethodResult modifySystem(Methods m, Invocation call) {
        CimInstance settings = call.in().requiredInstance("SystemSettings", SettingData.VSSD);
        VmInfo vm = VmMethods.vm(call, ObjectPaths.vmOf(settings.path().keys().isEmpty()
                ? ObjectPath.of(SettingData.VSSD, "InstanceID", Params.of("ModifySystemSettings", settings).requiredText("InstanceID"))
                : settings.path()));
        VmConfig next;
        try {
            next = systemSettings(m, vm.config(), Params.of("ModifySystemSettings", settings));
        } catch (IllegalArgumentException e) {
            throw new InvalidParameterException("ModifySystemSettings: " + e.getMessage());
        }
        return configureJob(m, call, vm, JobType.MODIFY_VM, "Modify '" + vm.name() + "'", next);
    }

    private static MethodResult configureJob(Methods m, Invocation call, VmInfo vm, int type, String what, VmConfig next) {
        return m.vmJob(call, vm.id(), type, what, new VmRequest.Configure(next));
    }

    private static MethodResult modifyResources(Methods m, Invocation call) {
        List<CimInstance> list = call.in().instances("ResourceSettings");
        if (list.isEmpty()) {
            throw new InvalidParameterException("ModifyResourceSettings: ResourceSettings is required");
        }
        VmInfo vm = VmMethods.vm(call, ObjectPaths.vmOf(idPath(list.getFirst())));
        VmConfig next = vm.config();
        try {
            for (CimInstance r : list) {
                if (!ObjectPaths.vmOf(idPath(r)).equals(vm.id())) {
                    throw new InvalidParameterException("ModifyResourceSettings: all settings must belong to one VM");
                }
                next = resource(m, next, r, false);
            }
        } catch (IllegalArgumentException e) {
            throw new InvalidParameterException("ModifyResourceSettings: " + e.getMessage());
        }
        return configureJob(m, call, vm, JobType.MODIFY_RESOURCES, "Modify resources of '" + vm.name() + "'", next);
    }

    private static ObjectPath idPath(CimInstance r) {
        if (!r.path().keys().isEmpty()) {
            return r.path();
        }
        return ObjectPath.of(r.className(), "InstanceID", Params.of("resource settings", r).requiredText("InstanceID"));
    }

    /**
     * Adds disks (Msvm_StorageAllocationSettingData) to a VM: hot while it runs or is paused, in its
     * configuration while it is off; one job attaches them in order and stops at the first refusal.
     */
    private static MethodResult addResources(Methods m, Invocation call) {
        VmInfo vm = VmMethods.vm(call, ObjectPaths.vmOf(call.in().requiredPath("AffectedConfiguration")));
        List<VmRequest> requests = new ArrayList<>();
        try {
            for (CimInstance r : call.in().instances("ResourceSettings")) {
                if (!r.className().equalsIgnoreCase(SettingData.STORAGE)) {
                    throw new InvalidParameterException("AddResourceSettings adds Msvm_StorageAllocationSettingData only, not "
                            + r.className());
                }
                requests.add(new VmRequest.AttachDisk(DriveSettings.disk(r, file -> m.host.storage().existingFile(file).toString())));
            }
        } catch (IllegalArgumentException e) {
            throw new InvalidParameterException("AddResourceSettings: " + e.getMessage());
        }
        if (requests.isEmpty()) {
            throw new InvalidParameterException("AddResourceSettings: ResourceSettings is required");
        }
        return m.vmJobs(call, vm.id(), JobType.ADD_RESOURCES, "Add resources to '" + vm.name() + "'", requests);
    }

    /** Removes disks (references to their Msvm_StorageAllocationSettingData) from one VM, hot while it runs. */
    private static MethodResult removeResources(Methods m, Invocation call) {
        List<ObjectPath> refs = call.in().paths("ResourceSettings");
        if (refs.isEmpty()) {
            throw new InvalidParameterException("RemoveResourceSettings: ResourceSettings is required");
        }
        VmInfo vm = VmMethods.vm(call, ObjectPaths.vmOf(refs.getFirst()));
        List<VmRequest> requests = new ArrayList<>();
        for (ObjectPath ref : refs) {
            requests.add(DriveSettings.detach(ref, vm.id()));
        }
        return m.vmJobs(call, vm.id(), JobType.REMOVE_RESOURCES, "Remove resources from '" + vm.name() + "'", requests);
    }

    /** GetSummaryInformation(SettingData[]): the summaries of those VMs (all VMs when none are named). */
    private static MethodResult summary(Invocation call) {
        List<ObjectPath> refs = call.in().paths("SettingData");
        List<CimInstance> out = new ArrayList<>();
        for (VmInfo vm : call.view().vms()) {
            if (refs.isEmpty() || refs.stream().anyMatch(r -> ObjectPaths.vmOf(r).equals(vm.id()))) {
                out.add(SummaryInformation.render(call.view(), vm));
            }
        }
        return MethodResult.completed(Map.of("SummaryInformation", new CimValue.Instances(out)));
    }
}
