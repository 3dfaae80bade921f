package dev.parvis.shell.hyperv;

import dev.parvis.hv.backend.BackendChoice;
import dev.parvis.root.config.ConfigStore;
import dev.parvis.root.storage.VirtualDiskService;
import dev.parvis.root.vm.VmHost;
import dev.parvis.wmi.client.ClientOptions;
import dev.parvis.wmi.client.InProcessClient;
import dev.parvis.wmi.client.ThriftManagementClient;
import dev.parvis.wmi.model.Caller;
import dev.parvis.wmi.model.HostInfo;
import dev.parvis.wmi.model.ManagementModel;
import dev.parvis.wmi.storage.StorageDirectories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The host the shell manages when no -ComputerName is given: the host service of the data
 * directory when one is running ({@code ./parvis host}, reached through its TLS endpoint as its
 * first administrator), otherwise a host inside the shell's own process on that directory (its VMs
 * run while the shell lives and get their automatic stop action when it exits).
 */
public final class LocalHost {
    private LocalHost() {
    }

    /** Options for {@link #connect}: the data directory, the built guests, the hypervisor's page pool. */
    public record Options(Path dataDirectory, Path guestsDir, long poolBytes, VirtualDiskService disks) {
        public static Options defaults() {
            return new Options(ConfigStore.defaultDataDirectory(), Path.of(System.getProperty("parvis.guests.dir", "guest-sdk/target/guests")),
                    VmHost.Options.defaults().poolBytes(), VirtualDiskService.UNAVAILABLE);
        }
    }

    public static HostConnection connect(Options o) {
        HostConnection running = runningService(o.dataDirectory());
        return running != null ? running : inProcess(o);
    }

    /** The host service of {@code dataDir}, when its endpoint answers; else null. */
    static HostConnection runningService(Path dataDir) {
        Path endpoint = dataDir.resolve(ClientOptions.MANAGEMENT_DIR).resolve(ClientOptions.ENDPOINT_FILE);
        if (!Files.isRegularFile(endpoint)) {
            return null;
        }
        try {
            ClientOptions options = ClientOptions.fromDataDirectory(dataDir);
            ClientOptions quick = new ClientOptions(options.host(), options.port(), options.certificate(), options.user(),
                    options.password(), Duration.ofSeconds(5));
            ThriftManagementClient client = ThriftManagementClient.connect(quick);
            return new HostConnection(client.hostName(), client, null);
        } catch (RuntimeException e) {
            // a stale endpoint (the host has stopped) or no credential: run our own host
            return null;
        }
    }

    private static HostConnection inProcess(Options o) {
        Path storage = o.dataDirectory().resolve("storage");
        try {
            Files.createDirectories(storage);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + storage + ": " + e.getMessage(), e);
        }
        VmHost host = VmHost.start(new VmHost.Options(o.dataDirectory(), o.guestsDir(), o.poolBytes(),
                BackendChoice.fromSystemProperty(BackendChoice.AUTO)));
        String name = hostName();
        ManagementModel model = new ManagementModel(host.service(),
                new HostInfo(name, new StorageDirectories(List.of(storage)), o.guestsDir(), o.disks()));
        InProcessClient client = new InProcessClient(model, new Caller(System.getProperty("user.name", "shell"),
                dev.parvis.wmi.model.Role.ADMINISTRATOR));
        return new HostConnection(name, client, () -> {
            model.close();
            host.close();
        });
    }

    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
