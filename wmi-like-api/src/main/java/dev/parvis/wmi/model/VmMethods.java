package dev.parvis.wmi.model;

import dev.parvis.abi.ic.IcConstants;
import dev.parvis.devices.ic.IcResult;
import dev.parvis.devices.ic.IntegrationServices;
import dev.parvis.root.vm.VmManagementService.VmInfo;
import dev.parvis.root.vm.VmRequest;
import dev.parvis.root.vm.VmState;
import dev.parvis.wmi.cim.CimInstance;
import dev.parvis.wmi.cim.MethodResult;
import dev.parvis.wmi.cim.NotFoundException;
import dev.parvis.wmi.cim.ReturnCode;
import dev.parvis.wmi.job.JobFailure;
import dev.parvis.wmi.job.JobType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Methods on one VM: Msvm_ComputerSystem.RequestStateChange (reference section 3.2),
 * Msvm_ShutdownComponent.InitiateShutdown, Msvm_GuestFileService.CopyFilesToGuest and
 * Msvm_VirtualSystemManagementService.AddKvpItems. Each becomes the service's request in a job.
 */
final class VmMethods {
    private VmMethods() {}

    static void register(Methods m) {
        m.register(ComputerSystems.CLASS, "RequestStateChange", call -> requestStateChange(m, call));
        m.register(IntegrationComponents.SHUTDOWN, "InitiateShutdown", call -> {
            VmInfo vm = vm(call, ObjectPaths.vmOf(call.target()));
            return m.vmJob(call, vm.id(), JobType.SHUT_DOWN, "Shut down '" + vm.name() + "'", new VmRequest.Stop());
        });
        m.register(IntegrationComponents.FILE_SERVICE, "CopyFilesToGuest", call -> copyFiles(m, call));
        m.register(HostServices.VSMS, "AddKvpItems", call -> addKvpItems(m, call));
    }

    static VmInfo vm(Invocation call, UUID id) {
        return call.view().vm(id).orElseThrow(() -> new NotFoundException("no virtual machine " + id));
    }

    private static MethodResult requestStateChange(Methods m, Invocation call) {
        if (call.target().key("Name").equalsIgnoreCase(m.host.hostName())) {
            return Methods.error(ReturnCode.NOT_SUPPORTED, "the host's state cannot be changed");
        }
        VmInfo vm = vm(call, ObjectPaths.vmOf(call.target()));
        long requested = call.in().requiredInteger("RequestedState");
        VmState now = vm.state();
        String name = "'" + vm.name() + "'";
        return switch ((int) requested) {
            case 2 -> now instanceof VmState.Paused ? m.vmJob(call, vm.id(), JobType.RESUME, "Resume " + name, new VmRequest.Resume())
                    : m.vmJob(call, vm.id(), now instanceof VmState.Saved ? JobType.RESTORE : JobType.START,
                    (now instanceof VmState.Saved ? "Restore " : "Start ") + name, new VmRequest.Start());
            case 3 -> m.vmJob(call, vm.id(), JobType.POWER_OFF, "Turn off " + name, new VmRequest.TurnOff());
            case 4 -> m.vmJob(call, vm.id(), JobType.SHUT_DOWN, "Shut down " + name, new VmRequest.Stop());
            case 6 -> m.vmJob(call, vm.id(), JobType.SAVE, "Save " + name, new VmRequest.Save());
            case 9 -> m.vmJob(call, vm.id(), JobType.PAUSE, "Pause " + name, new VmRequest.Pause());
            case 10, 11 -> m.job(call, JobType.RESET, "Reset " + name, ObjectPaths.computerSystem(vm.id()), true, control -> {
                m.service.request(vm.id(), new VmRequest.TurnOff()).get(Methods.REQUEST_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                control.progress(50);
                control.checkCancelled();
                m.service.request(vm.id(), new VmRequest.Start(), p -> control.progress(50 + p / 2))
                        .get(Methods.REQUEST_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            });
            default -> Methods.error(ReturnCode.INVALID_PARAMETER, "RequestedState " + requested
                    + " is not one of 2 (Enabled), 3 (Disabled), 4 (Shut Down), 6 (Offline/Saved), 9 (Quiesce/Paused), 10 or 11 (Reset)");
        };
    }

    /** One file to copy: the resolved host file and the guest path. */
    private record FileCopy(Path source, String destination) {
    }

    private static MethodResult copyFiles(Methods m, Invocation call) {
        VmInfo vm = vm(call, ObjectPaths.vmOf(call.target()));
        List<FileCopy> copies = new ArrayList<>();
        for (CimInstance s : call.in().instances("CopyFileToGuestSettings")) {
            Params p = Params.of("CopyFilesToGuest", s);
            copies.add(new FileCopy(m.host.storage().existingFile(p.requiredText("SourcePath")), p.requiredText("DestinationPath")));
        }
        if (copies.isEmpty()) {
            return Methods.error(ReturnCode.INVALID_PARAMETER, "CopyFilesToGuest: no Msvm_CopyFileToGuestSettingData given");
        }
        return m.job(call, JobType.COPY_FILE, "Copy %d file(s) to '%s'".formatted(copies.size(), vm.name()),
                ObjectPaths.computerSystem(vm.id()), true, control -> {
                    for (int i = 0; i < copies.size(); i++) {
                        control.checkCancelled();
                        m.service.copyFileToGuest(vm.id(), copies.get(i).source(), copies.get(i).destination());
                        control.progress((i + 1) * 100 / copies.size());
                    }
                });
    }

    private static MethodResult addKvpItems(Methods m, Invocation call) {
        VmInfo vm = vm(call, ObjectPaths.vmOf(call.in().requiredPath("TargetSystem")));
        List<String[]> items = new ArrayList<>();
        for (CimInstance item : call.in().instances("DataItems")) {
            Params p = Params.of("AddKvpItems", item);
            items.add(new String[] {p.requiredText("Name"), p.requiredText("Data")});
        }
        return m.job(call, JobType.KVP, "Add %d KVP item(s) to '%s'".formatted(items.size(), vm.name()),
                ObjectPaths.computerSystem(vm.id()), true, control -> {
                    IntegrationServices ics = m.service.integrationServices(vm.id()).orElseThrow(() -> new JobFailure(
                            ReturnCode.INVALID_STATE, "VM '" + vm.name() + "' has no running integration services"));
                    for (int i = 0; i < items.size(); i++) {
                        control.checkCancelled();
                        IcResult r = ics.kvp().set(IcConstants.KVP_POOL_EXTERNAL, items.get(i)[0], items.get(i)[1]);
                        if (!r.succeeded()) {
                            throw new JobFailure(ReturnCode.FAILED, "the guest refused KVP item '" + items.get(i)[0] + "': " + r);
                        }
                        control.progress((i + 1) * 100 / items.size());
                    }
                });
    }
}
