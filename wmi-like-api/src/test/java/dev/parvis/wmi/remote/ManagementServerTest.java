package dev.parvis.wmi.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.parvis.root.vm.VmManagementService.VmInfo;
import dev.parvis.root.vm.VmState;
import dev.parvis.wmi.cim.AccessDeniedException;
import dev.parvis.wmi.cim.AuthenticationException;
import dev.parvis.wmi.cim.CimEvent;
import dev.parvis.wmi.cim.CimInstance;
import dev.parvis.wmi.cim.CimValue;
import dev.parvis.wmi.cim.WqlSyntaxException;
import dev.parvis.wmi.client.ConnectionException;
import dev.parvis.wmi.client.EventSubscription;
import dev.parvis.wmi.client.ManagementClient;
import dev.parvis.wmi.client.ThriftManagementClient;
import dev.parvis.wmi.event.EventBatch;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The Thrift server over loopback TLS, in front of a Mockito-mocked management service. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ManagementServerTest {
    @TempDir
    static Path dir;

    private ServerFixture fx;
    private VmInfo vm;

    @BeforeAll
    void start() throws Exception {
        fx = new ServerFixture(dir, ServerLimits.defaults());
        vm = fx.mocked.add("web01", VmState.RUNNING);
    }

    @AfterAll
    void stop() {
        fx.close();
    }

    @Test
    void anAdministratorQueriesOverTls() {
        try (ManagementClient c = ThriftManagementClient.connect(fx.options("admin", ServerFixture.ADMIN_PASSWORD))) {
            assertEquals("administrator", c.role());
            List<CimInstance> vms = c.query("SELECT * FROM Msvm_ComputerSystem WHERE ElementName = 'web01'");
            assertEquals(1, vms.size());
            assertEquals(2L, vms.getFirst().integer("EnabledState").orElseThrow());
            assertEquals(vms.getFirst(), c.get(vms.getFirst().path()));
            WqlSyntaxException e = assertThrows(WqlSyntaxException.class, () -> c.query("SELECT * FROM Msvm_ComputerSystem WHERE ="));
            assertEquals("=", e.token());
            assertEquals(1, e.line());
            assertEquals(41, e.column());
            assertEquals(2, c.query("SELECT * FROM Msvm_ComputerSystem").size(), "the connection survives a syntax error");
        }
    }

    @Test
    void eventsTravelWithTheirPreviousInstance() throws Exception {
        try (ManagementClient c = ThriftManagementClient.connect(fx.options("reader", ServerFixture.READER_PASSWORD));
             EventSubscription s = c.subscribe("SELECT * FROM __InstanceModificationEvent WITHIN 1 WHERE TargetInstance ISA "
                     + "'Msvm_ComputerSystem' AND TargetInstance.ElementName = 'web01'")) {
            fx.mocked.transition(vm.id(), VmState.PAUSED);
            EventBatch b = s.poll(10, Duration.ofSeconds(10));
            CimEvent e = b.events().getFirst();
            assertEquals(9L, e.target().integer("EnabledState").orElseThrow());
            assertEquals(2L, e.previous().orElseThrow().integer("EnabledState").orElseThrow());
            fx.mocked.transition(vm.id(), VmState.RUNNING);
        }
    }

    @Test
    void refusalsAreRefusedAndAudited() throws Exception {
        assertThrows(AuthenticationException.class, () -> ThriftManagementClient.connect(fx.options("admin", "wrong-password-0")));
        assertThrows(AuthenticationException.class, () -> ThriftManagementClient.connect(fx.options("nobody", "whatever-pass-0")));
        assertThrows(AuthenticationException.class, () -> ThriftManagementClient.connect(fx.options("", "")));
        try (ManagementClient reader = ThriftManagementClient.connect(fx.options("reader", ServerFixture.READER_PASSWORD))) {
            CimInstance web = reader.virtualMachine("web01").orElseThrow();
            assertThrows(AccessDeniedException.class, () -> reader.invoke(web.path(), "RequestStateChange",
                    Map.of("RequestedState", CimValue.of(3))));
        }
        try (ManagementClient admin = ThriftManagementClient.connect(fx.options("admin", ServerFixture.ADMIN_PASSWORD))) {
            CimInstance vssd = CimInstance.builder("Msvm_VirtualSystemSettingData").set("ElementName", "evil").set("GuestImage", "/dev/zero")
                    .build();
            assertThrows(AccessDeniedException.class, () -> admin.invoke(
                    dev.parvis.wmi.cim.ObjectPath.parse("Msvm_VirtualSystemManagementService.CreationClassName=\"Msvm_VirtualSystemManagementService\","
                            + "Name=\"vmms\",SystemCreationClassName=\"Msvm_ComputerSystem\",SystemName=\"testhost\""),
                    "DefineSystem", Map.of("SystemSettings", new CimValue.Instances(List.of(vssd)))));
        }
        plainTextClient();
        List<String> audit = awaitAudit("plain-text", l -> l.contains("TLS handshake failed"));
        assertTrue(audit.stream().anyMatch(l -> l.contains("call=login admin") && l.contains("refused: wrong user or password")), "wrong password");
        assertTrue(audit.stream().anyMatch(l -> l.contains("call=login nobody") && l.contains("refused")), "unknown user");
        assertTrue(audit.stream().anyMatch(l -> l.contains("user=reader") && l.contains("call=invokeMethod RequestStateChange")
                && l.contains("refused: user 'reader' (reader) may not invoke methods")), "reader refused");
        assertTrue(audit.stream().anyMatch(l -> l.contains("user=admin") && l.contains("DefineSystem")
                && l.contains("outside the host's storage directories")), "path outside the storage directories");
        audit.stream().filter(l -> l.contains("refused")).forEach(l -> System.out.println("audit: " + l));
    }

    /** Speaks framed Thrift without TLS: the server must end the connection at the handshake. */
    private void plainTextClient() throws Exception {
        try (Socket s = new Socket("127.0.0.1", fx.server.address().getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            byte[] login = new byte[] {(byte) 0x80, 1, 0, 1, 0, 0, 0, 5, 'l', 'o', 'g', 'i', 'n', 0, 0, 0, 1, 0};
            out.write(ByteBuffer.allocate(4).putInt(login.length).array());
            out.write(login);
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[256];
            int n;
            try {
                while ((n = in.read(buf)) > 0) {
                    assertTrue(n < 256 && buf[0] == 0x15, "only a TLS alert may come back, not a Thrift answer");
                }
            } catch (java.net.SocketException reset) {
                // The server closed the connection: refused.
            }
        }
    }

    private List<String> awaitAudit(String what, java.util.function.Predicate<String> line) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            List<String> lines = fx.auditLines();
            if (lines.stream().anyMatch(line)) {
                return lines;
            }
            Thread.sleep(20);
        }
        fail("no audit line for " + what + ": " + Files.readString(fx.audit.file()));
        return List.of();
    }

    @Test
    void aClientReplacesAConnectionTheServerClosedForIdleness() throws Exception {
        ServerLimits d = ServerLimits.defaults();
        ServerLimits quick = d.withTimeouts(Duration.ofMillis(300), d.handshakeTimeout(), d.frameTimeout());
        try (ServerFixture idle = new ServerFixture(dir.resolve("idle"), quick);
             ManagementClient c = ThriftManagementClient.connect(idle.options("reader", ServerFixture.READER_PASSWORD)
                     .withIdleReconnect(Duration.ofMillis(200)))) {
            assertEquals(1, c.query("SELECT * FROM Msvm_ComputerSystem").size());
            Thread.sleep(1000);
            assertEquals(1, c.query("SELECT * FROM Msvm_ComputerSystem").size(), "served on a fresh connection");
            assertTrue(idle.auditLines().stream().anyMatch(l -> l.contains("call=resume") && l.contains("ok (reader)")));
        }
    }

    @Test
    void aSessionTokenAuthenticatesAnotherConnectionAndAForgedOneIsRefused() {
        try (ThriftManagementClient first = ThriftManagementClient.connect(fx.options("reader", ServerFixture.READER_PASSWORD));
             ThriftManagementClient second = ThriftManagementClient.resume(fx.options("x", "y"), first.token())) {
            assertEquals("reader", second.user());
            assertEquals("reader", second.role());
        }
        assertThrows(AuthenticationException.class, () -> ThriftManagementClient.resume(fx.options("x", "y"), "forged-token"));
        assertThrows(ConnectionException.class, () -> ThriftManagementClient.connect(
                fx.options("admin", ServerFixture.ADMIN_PASSWORD).withAddress("127.0.0.1", 1)));
    }
}
