package dev.parvis.wmi.host;

import dev.parvis.root.storage.VhdxDiskService;
import dev.parvis.root.storage.VirtualDiskService;
import dev.parvis.root.vm.VmManagementService;
import dev.parvis.wmi.client.ClientOptions;
import dev.parvis.wmi.model.HostInfo;
import dev.parvis.wmi.model.ManagementModel;
import dev.parvis.wmi.model.Role;
import dev.parvis.wmi.remote.ManagementServer;
import dev.parvis.wmi.remote.ServerLimits;
import dev.parvis.wmi.security.AuditLog;
import dev.parvis.wmi.security.HostCertificate;
import dev.parvis.wmi.security.UserStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The management side of a running host, laid out in {@code <data>/management}: {@code users.json},
 * the host certificate ({@code host.p12}, {@code host-cert.pem}), {@code audit.log}, the
 * {@code endpoint} clients read, and on first start {@code admin.credential} (owner-only) with
 * the first administrator's generated password.
 */
public final class ManagementHost implements AutoCloseable {
    /**
     * How to run it. Storage directories default to {@code <data>/storage}; {@code disks} is the
     * host's virtual disk service (VHDX unless a caller passes another).
     */
    public record Options(Path dataDir, InetSocketAddress listen, List<Path> storageDirs, Path guestsDir, ServerLimits limits,
                          VirtualDiskService disks) {
        public Options(Path dataDir, InetSocketAddress listen, List<Path> storageDirs, Path guestsDir, ServerLimits limits) {
            this(dataDir, listen, storageDirs, guestsDir, limits, new VhdxDiskService());
        }

        public static Options of(Path dataDir, Path guestsDir, InetSocketAddress listen) {
            return new Options(dataDir, listen, List.of(dataDir.resolve("storage")), guestsDir, ServerLimits.defaults());
        }

        public Options withLimits(ServerLimits l) {
            return new Options(dataDir, listen, storageDirs, guestsDir, l, disks);
        }

        public Options withDisks(VirtualDiskService d) {
            return new Options(dataDir, listen, storageDirs, guestsDir, limits, d);
        }
    }

    private final Path dir;
    private final ManagementModel model;
    private final ManagementServer server;
    private final AuditLog audit;
    private final HostCertificate certificate;
    private final UserStore users;
    private final Optional<Path> createdCredential;

    private ManagementHost(Path dir, ManagementModel model, ManagementServer server, AuditLog audit, HostCertificate certificate,
                           UserStore users, Optional<Path> createdCredential) {
        this.dir = dir;
        this.model = model;
        this.server = server;
        this.audit = audit;
        this.certificate = certificate;
        this.users = users;
        this.createdCredential = createdCredential;
    }

    public static ManagementHost start(VmManagementService service, Options options) {
        Path dir = options.dataDir().resolve(ClientOptions.MANAGEMENT_DIR);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        String hostName = hostName();
        UserStore users = new UserStore(dir.resolve("users.json"));
        Optional<Path> credential = Optional.empty();
        if (users.isEmpty()) {
            String password = UserStore.randomPassword();
            users.add("admin", Role.ADMINISTRATOR, password);
            Path file = dir.resolve(ClientOptions.ADMIN_CREDENTIAL);
            UserStore.writeCredential(file, "admin", password);
            credential = Optional.of(file);
        }
        HostCertificate certificate = HostCertificate.loadOrCreate(dir, hostName);
        AuditLog audit = new AuditLog(dir.resolve("audit.log"));
        HostInfo info = new HostInfo(hostName, new dev.parvis.wmi.storage.StorageDirectories(options.storageDirs()), options.guestsDir(),
                options.disks());
        ManagementModel model = new ManagementModel(service, info);
        ManagementServer server = ManagementServer.start(model, users, certificate, audit, options.listen(), options.limits());
        InetSocketAddress bound = server.address();
        try {
            Files.writeString(dir.resolve(ClientOptions.ENDPOINT_FILE), bound.getHostString() + ":" + bound.getPort() + "\n");
        } catch (IOException e) {
            server.close();
            throw new UncheckedIOException("cannot write the endpoint file: " + e.getMessage(), e);
        }
        return new ManagementHost(dir, model, server, audit, certificate, users, credential);
    }

    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    public ManagementModel model() {
        return model;
    }

    public InetSocketAddress address() {
        return server.address();
    }

    public ManagementServer server() {
        return server;
    }

    public Path directory() {
        return dir;
    }

    public Path auditLog() {
        return audit.file();
    }

    public Path certificate() {
        return certificate.pemFile();
    }

    public UserStore users() {
        return users;
    }

    /** The first administrator's credential file, when this start created it. */
    public Optional<Path> createdCredential() {
        return createdCredential;
    }

    /** Options to connect as {@code user} (127.0.0.1 when the server listens on every address). */
    public ClientOptions clientOptions(String user, String password) {
        String host = server.address().getAddress().isAnyLocalAddress() ? "127.0.0.1" : server.address().getHostString();
        return new ClientOptions(host, server.address().getPort(), certificate.pemFile(), user, password, Duration.ofSeconds(60));
    }

    @Override
    public void close() {
        server.close();
        model.close();
        audit.close();
    }
}
