package dev.parvis.shell;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.parvis.root.config.DeviceConfig;
import dev.parvis.root.config.VmConfig;
import dev.parvis.root.storage.VirtualDiskService;
import dev.parvis.root.vm.VmManagementService;
import dev.parvis.root.vm.VmManagementService.VmInfo;
import dev.parvis.root.vm.VmMetrics;
import dev.parvis.root.vm.VmState;
import dev.parvis.shell.hyperv.HostConnection;
import dev.parvis.shell.hyperv.HostConnections;
import dev.parvis.wmi.client.InProcessClient;
import dev.parvis.wmi.model.Caller;
import dev.parvis.wmi.model.HostInfo;
import dev.parvis.wmi.model.ManagementModel;
import dev.parvis.wmi.model.Role;
import dev.parvis.wmi.storage.StorageDirectories;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.mockito.Mockito;

/**
 * Hyper-V commands against the real management model (WQL, CIM objects, methods, jobs) over a
 * Mockito mock of the root's VM management service: no partitions, so a test can run thousands of
 * Hyper-V command lines in seconds. The VMs never change: a request completes at once in the VM's
 * current state, so a script cannot make the next script's view of the host differ.
 */
public final class MockedHyperVHost {
    private MockedHyperVHost() {
    }

    /** Connections whose local host holds {@code vmNames} (the first Running, the rest Off), storage under {@code dir}. */
    public static HostConnections connections(Path dir, List<String> vmNames) {
        VmManagementService service = mock(VmManagementService.class, i -> i.getMethod().getReturnType() == CompletableFuture.class
                ? CompletableFuture.completedFuture(VmState.OFF) : Mockito.RETURNS_DEFAULTS.answer(i));
        List<VmInfo> vms = vmNames.stream().map(n -> new VmInfo(
                VmConfig.create(n, "icdaemon").withDevices(List.of(DeviceConfig.IntegrationServices.DEFAULT)),
                n.equals(vmNames.get(0)) ? VmState.RUNNING : VmState.OFF)).toList();
        when(service.list()).thenReturn(vms);
        when(service.get(any(java.util.UUID.class))).thenAnswer(i -> vms.stream().filter(v -> v.id().equals(i.getArgument(0))).findFirst());
        when(service.get(any(String.class))).thenAnswer(i -> vms.stream().filter(v -> v.name().equals(i.getArgument(0))).findFirst());
        when(service.subscribe(any())).thenReturn(() -> { });
        when(service.integrationStatus(any())).thenReturn(Map.of());
        when(service.metrics(any())).thenReturn(VmMetrics.NONE);
        when(service.integrationServices(any())).thenReturn(Optional.empty());
        when(service.create(any())).thenAnswer(i -> new VmInfo(i.getArgument(0), VmState.OFF));
        HostInfo info = new HostInfo("fuzzhost", new StorageDirectories(List.of(dir.resolve("storage"))), dir.resolve("guests"),
                VirtualDiskService.UNAVAILABLE);
        ManagementModel model = new ManagementModel(service, info);
        return new HostConnections(() -> new HostConnection("fuzzhost", new InProcessClient(model, new Caller("fuzzer", Role.ADMINISTRATOR)), null),
                dir.resolve("data"));
    }
}
