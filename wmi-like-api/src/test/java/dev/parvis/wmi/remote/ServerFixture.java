package dev.parvis.wmi.remote;

import dev.parvis.wmi.client.ClientOptions;
import dev.parvis.wmi.model.ManagementModel;
import dev.parvis.wmi.model.MockedService;
import dev.parvis.wmi.model.Role;
import dev.parvis.wmi.security.AuditLog;
import dev.parvis.wmi.security.HostCertificate;
import dev.parvis.wmi.security.UserStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A TLS management server on loopback over a Mockito-mocked VM management service, with an administrator and a reader. */
final class ServerFixture implements AutoCloseable {
    static final String ADMIN_PASSWORD = "admin-password-1";
    static final String READER_PASSWORD = "reader-password-1";

    final MockedService mocked = new MockedService();
    final ManagementModel model;
    final UserStore users;
    final HostCertificate certificate;
    final AuditLog audit;
    final ManagementServer server;

    ServerFixture(Path dir, ServerLimits limits) throws IOException {
        model = mocked.model(dir);
        users = new UserStore(dir.resolve("users.json"));
        users.add("admin", Role.ADMINISTRATOR, ADMIN_PASSWORD);
        users.add("reader", Role.READER, READER_PASSWORD);
        certificate = HostCertificate.loadOrCreate(dir.resolve("tls"), "testhost");
        audit = new AuditLog(dir.resolve("audit.log"));
        server = ManagementServer.start(model, users, certificate, audit, new InetSocketAddress("127.0.0.1", 0), limits);
    }

    ClientOptions options(String user, String password) {
        return new ClientOptions("127.0.0.1", server.address().getPort(), certificate.pemFile(), user, password, Duration.ofSeconds(30));
    }

    /** The audit lines so far (waits briefly for the appender). */
    List<String> auditLines() throws IOException {
        return Files.readAllLines(audit.file());
    }

    @Override
    public void close() {
        server.close();
        model.close();
        audit.close();
    }
}
