package dev.parvis.shell.hyperv;

import dev.parvis.shell.runtime.ErrorCategory;
import dev.parvis.shell.runtime.RuntimeError;
import dev.parvis.wmi.client.ThriftManagementClient;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The hosts the session's Hyper-V commands talk to: the local one (connected on first use), remote
 * ones by -ComputerName (over the Thrift client, kept open), and the target of Enter-PSSession,
 * which becomes the default until Exit-PSSession. Closing closes them all (and the in-process host).
 */
public final class HostConnections implements AutoCloseable {
    private final Supplier<HostConnection> localFactory;
    private final RemoteHosts remotes;
    private final Map<RemoteKey, VirtualizationHost> remote = new ConcurrentHashMap<>();
    private final Map<Object, HostConnection> open = new ConcurrentHashMap<>();
    private volatile VirtualizationHost local;
    private volatile String sessionTarget;

    public HostConnections(Supplier<HostConnection> localFactory, Path dataDirectory) {
        this.localFactory = localFactory;
        this.remotes = new RemoteHosts(dataDirectory);
    }

    /** The host commands use when no -ComputerName is given. */
    VirtualizationHost current(Credential credential) {
        String target = sessionTarget;
        return target == null ? local() : forComputer(target, credential);
    }

    synchronized VirtualizationHost local() {
        if (local == null) {
            HostConnection c;
            try {
                c = localFactory.get();
            } catch (RuntimeError e) {
                throw e;
            } catch (RuntimeException e) {
                // A data directory another process locks, a host that failed to start: the command
                // fails with an error record; the shell stays.
                throw HyperVErrors.error("Cannot reach or start the local host: " + e.getMessage(),
                        ErrorCategory.CONNECTION_ERROR, "LocalHostUnavailable");
            }
            open.put("(local)", c);
            local = new VirtualizationHost(c);
        }
        return local;
    }

    /** The host named {@code name}: the local one for "localhost", "." or its own name, else a registered remote host. */
    VirtualizationHost forComputer(String name, Credential credential) {
        if (name == null || name.isBlank() || name.equals(".") || name.equalsIgnoreCase("localhost")
                || local != null && name.equalsIgnoreCase(local.computerName())) {
            return local();
        }
        RemoteKey key = new RemoteKey(name.toLowerCase(Locale.ROOT), credential);
        return remote.computeIfAbsent(key, k -> {
            RemoteHosts.Entry e = remotes.find(name);
            ThriftManagementClient client = HyperVErrors.call(() -> ThriftManagementClient.connect(RemoteHosts.options(e, credential)));
            HostConnection c = new HostConnection(name, client, null);
            open.put(k, c);
            return new VirtualizationHost(c);
        });
    }

    /**
     * One connection per host and credential: the whole credential, not just its user name, so a
     * different password logs in anew (and is refused when wrong) instead of reusing a session.
     */
    private record RemoteKey(String computer, Credential credential) {
    }

    RemoteHosts remotes() {
        return remotes;
    }

    void enter(String computerName) {
        this.sessionTarget = computerName;
    }

    void exit() {
        this.sessionTarget = null;
    }

    String sessionTarget() {
        return sessionTarget;
    }

    @Override
    public void close() {
        open.values().forEach(HostConnection::close);
        open.clear();
        remote.clear();
        local = null;
    }
}
