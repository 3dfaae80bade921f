package dev.parvis.wmi.model;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.parvis.root.config.DeviceConfig;
import dev.parvis.root.config.VmConfig;
import dev.parvis.root.storage.VirtualDiskService;
import dev.parvis.root.vm.VmEvent;
import dev.parvis.root.vm.VmManagementService;
import dev.parvis.root.vm.VmManagementService.VmInfo;
import dev.parvis.root.vm.VmMetrics;
import dev.parvis.root.vm.VmState;
import dev.parvis.wmi.storage.StorageDirectories;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A Mockito mock of the root's VM management service (the model's one seam) holding a list of
 * VMs, with a way to publish the service's events.
 */
public final class MockedService {
    public final VmManagementService service = mock(VmManagementService.class);
    private final List<VmInfo> vms = new CopyOnWriteArrayList<>();
    private volatile Consumer<VmEvent> listener = e -> { };

    public MockedService() {
        when(service.list()).thenAnswer(i -> List.copyOf(vms));
        when(service.subscribe(any())).thenAnswer(i -> {
            listener = i.getArgument(0);
            return (AutoCloseable) () -> { };
        });
        when(service.integrationStatus(any())).thenReturn(Map.of());
        when(service.metrics(any())).thenReturn(VmMetrics.NONE);
        when(service.integrationServices(any())).thenReturn(Optional.empty());
    }

    public VmInfo add(String name, VmState state) {
        VmConfig config = VmConfig.create(name, "icdaemon").withDevices(List.of(DeviceConfig.IntegrationServices.DEFAULT));
        VmInfo vm = new VmInfo(config, state);
        vms.add(vm);
        when(service.get(config.id())).thenAnswer(i -> vms.stream().filter(v -> v.id().equals(config.id())).findFirst());
        return vm;
    }

    /** Moves a VM to {@code to} and publishes the StateChanged event the service would. */
    public void transition(UUID id, VmState to) {
        VmInfo old = vms.stream().filter(v -> v.id().equals(id)).findFirst().orElseThrow();
        vms.set(vms.indexOf(old), new VmInfo(old.config(), to));
        listener.accept(new VmEvent.StateChanged(id, old.name(), old.state(), to, Instant.now()));
    }

    public void remove(UUID id) {
        VmInfo old = vms.stream().filter(v -> v.id().equals(id)).findFirst().orElseThrow();
        vms.remove(old);
        listener.accept(new VmEvent.Removed(id, old.name(), Instant.now()));
    }

    public void publish(VmEvent e) {
        listener.accept(e);
    }

    /** A model over this service with storage directory {@code dir/storage} and guests in {@code dir/guests} (icdaemon present). */
    public ManagementModel model(Path dir) throws java.io.IOException {
        return model(dir, VirtualDiskService.UNAVAILABLE);
    }

    public ManagementModel model(Path dir, VirtualDiskService disks) throws java.io.IOException {
        Files.createDirectories(dir.resolve("guests"));
        Files.writeString(dir.resolve("guests/icdaemon.elf"), "elf");
        HostInfo host = new HostInfo("testhost", new StorageDirectories(List.of(dir.resolve("storage"))), dir.resolve("guests"), disks);
        return new ManagementModel(service, host);
    }
}
