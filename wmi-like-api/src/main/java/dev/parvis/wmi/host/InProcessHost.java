package dev.parvis.wmi.host;

import dev.parvis.root.config.ConfigStore;
import dev.parvis.root.storage.VhdxDiskService;
import dev.parvis.root.storage.VirtualDiskService;
import dev.parvis.root.vm.VmHost;
import dev.parvis.wmi.client.InProcessClient;
import dev.parvis.wmi.client.ManagementClient;
import dev.parvis.wmi.model.Caller;
import dev.parvis.wmi.model.HostInfo;
import dev.parvis.wmi.model.ManagementModel;
import dev.parvis.wmi.model.Role;
import dev.parvis.wmi.storage.StorageDirectories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A host inside the caller's own process, managed without a network endpoint: the shell's local
 * host when no {@code parvis host} runs on the data directory. It lives here, not in the shell, so
 * the shell names only the management API (ARCHITECTURE: shell → wmi-like-api) while this module
 * owns how a host is started. Its VMs run while it lives and get their automatic stop action at
 * {@link #close()}.
 */
public final class InProcessHost implements AutoCloseable {
    /** The data directory, the built guests and the hypervisor's page pool. */
    public record Options(Path dataDirectory, Path guestsDir, long poolBytes) {
        public static Options defaults() {
            return new Options(ConfigStore.defaultDataDirectory(),
                    Path.of(System.getProperty("parvis.guests.dir", "guest-sdk/target/guests")), VmHost.Options.defaults().poolBytes());
        }
    }

    private final VmHost host;
    private final ManagementModel model;
    private final InProcessClient client;
    private final String name;

    private InProcessHost(VmHost host, ManagementModel model, InProcessClient client, String name) {
        this.host = host;
        this.model = model;
        this.client = client;
        this.name = name;
    }

    /**
     * Starts the host on the backend named by {@code -Dparvis.backend} (auto by default); the
     * client acts as {@code caller}, an administrator of this process's own host.
     */
    public static InProcessHost start(Options o, String caller) {
        Path storage = o.dataDirectory().resolve("storage");
        try {
            Files.createDirectories(storage);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + storage + ": " + e.getMessage(), e);
        }
        VmHost host = VmHost.start(VmHost.Options.of(o.dataDirectory(), o.guestsDir(), o.poolBytes()));
        String name = hostName();
        ManagementModel model = new ManagementModel(host.service(),
                new HostInfo(name, new StorageDirectories(List.of(storage)), o.guestsDir(), diskService()));
        return new InProcessHost(host, model, new InProcessClient(model, new Caller(caller, Role.ADMINISTRATOR)), name);
    }

    /** The host's virtual disk service, the same one {@code parvis host} offers. */
    private static VirtualDiskService diskService() {
        return new VhdxDiskService();
    }

    public ManagementClient client() {
        return client;
    }

    public String name() {
        return name;
    }

    /** This machine's name, as Hyper-V's host object reports it. */
    public static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    @Override
    public void close() {
        model.close();
        host.close();
    }
}
