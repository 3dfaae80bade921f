package dev.parvis.shell.hyperv;

import dev.parvis.wmi.client.ClientOptions;
import dev.parvis.wmi.client.ThriftManagementClient;
import dev.parvis.wmi.host.InProcessHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The host the shell manages when no -ComputerName is given: the host service of the data
 * directory when one is running ({@code ./parvis host}, reached through its TLS endpoint as its
 * first administrator), otherwise a host inside the shell's own process on that directory (its VMs
 * run while the shell lives and get their automatic stop action when it exits).
 */
public final class LocalHost {
    /** How long connecting to the data directory's running host may take before the shell runs its own. */
    static final Duration PROBE = Duration.ofSeconds(5);

    private LocalHost() {
    }

    /** Options for {@link #connect}: the data directory, the built guests, the hypervisor's page pool. */
    public record Options(Path dataDirectory, Path guestsDir, long poolBytes) {
        public static Options defaults() {
            InProcessHost.Options d = InProcessHost.Options.defaults();
            return new Options(d.dataDirectory(), d.guestsDir(), d.poolBytes());
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
            // Quick to connect, so a stale or hung endpoint does not hold the shell's start; the
            // session's calls keep the full timeout (a Save-VM of a large VM takes its time).
            ClientOptions options = ClientOptions.fromDataDirectory(dataDir).withConnectTimeout(PROBE);
            ThriftManagementClient client = ThriftManagementClient.connect(options);
            return new HostConnection(client.hostName(), client, null);
        } catch (RuntimeException e) {
            // a stale endpoint (the host has stopped) or no credential: run our own host
            return null;
        }
    }

    private static HostConnection inProcess(Options o) {
        InProcessHost host = InProcessHost.start(new InProcessHost.Options(o.dataDirectory(), o.guestsDir(), o.poolBytes()),
                System.getProperty("user.name", "shell"));
        return new HostConnection(host.name(), host.client(), host);
    }

    static String hostName() {
        return InProcessHost.hostName();
    }
}
