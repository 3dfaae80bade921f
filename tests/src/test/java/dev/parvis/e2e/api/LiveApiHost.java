package dev.parvis.e2e.api;

import dev.parvis.e2e.GuestHarness;

import dev.parvis.hv.Hypervisor;
import dev.parvis.hv.HypervisorConfig;
import dev.parvis.hv.backend.unicorn.UnicornBackend;
import dev.parvis.root.config.ConfigStore;
import dev.parvis.root.vm.VmManagementService;
import dev.parvis.wmi.client.ClientOptions;
import dev.parvis.wmi.client.ThriftManagementClient;
import dev.parvis.wmi.host.ManagementHost;
import dev.parvis.wmi.remote.ServerLimits;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/**
 * A live host for end-to-end API tests: a booted hypervisor, the VM management service over a
 * temporary data directory, and the management API on 127.0.0.1 (TLS) with its first
 * administrator.
 */
final class LiveApiHost implements AutoCloseable {
    final Path dataDir;
    final Hypervisor hv;
    final VmManagementService service;
    final ManagementHost api;
    final ClientOptions adminOptions;

    LiveApiHost(Path dataDir, long poolBytes) {
        this(dataDir, poolBytes, ServerLimits.defaults());
    }

    LiveApiHost(Path dataDir, long poolBytes, ServerLimits limits) {
        this.dataDir = dataDir;
        hv = Hypervisor.boot(new HypervisorConfig(poolBytes, UnicornBackend::new, HypervisorConfig.DEFAULT_RUN_SLICE));
        service = new VmManagementService(hv, new ConfigStore(dataDir), GuestHarness.guestsDir());
        api = ManagementHost.start(service, new ManagementHost.Options(dataDir, new InetSocketAddress("127.0.0.1", 0),
                List.of(dataDir.resolve("storage")), GuestHarness.guestsDir(), limits));
        Properties admin = ClientOptions.credential(api.createdCredential().orElseThrow());
        adminOptions = api.clientOptions(admin.getProperty("user"), admin.getProperty("password"));
    }

    ThriftManagementClient admin() {
        return ThriftManagementClient.connect(adminOptions);
    }

    Path storage() {
        return dataDir.resolve("storage");
    }

    List<String> audit() throws java.io.IOException {
        return Files.readAllLines(api.auditLog());
    }

    @Override
    public void close() {
        api.close();
        service.close();
        hv.close();
    }
}
