package dev.parvis.wmi.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.when;

import dev.parvis.root.vm.VmManagementService.VmInfo;
import dev.parvis.root.vm.VmState;
import dev.parvis.wmi.client.ClientOptions;
import dev.parvis.wmi.client.ConnectionException;
import dev.parvis.wmi.client.EventSubscription;
import dev.parvis.wmi.client.ManagementClient;
import dev.parvis.wmi.client.ThriftManagementClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Thrift client's socket timeout against a real server: what it bounds, what it leaves alone, and what follows it. */
class ClientTimeoutTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    @TempDir
    Path dir;

    private static ClientOptions shortTimeout(ServerFixture fx) {
        ClientOptions o = fx.options("reader", ServerFixture.READER_PASSWORD);
        return new ClientOptions(o.host(), o.port(), o.certificate(), o.user(), o.password(), TIMEOUT);
    }

    /** A long poll's wait is the server's, not a silent connection: it is added to the timeout for that call. */
    @Test
    void aLongPollOutlastsTheClientsTimeout() throws Exception {
        try (ServerFixture fx = new ServerFixture(dir, ServerLimits.defaults());
             ManagementClient c = ThriftManagementClient.connect(shortTimeout(fx));
             EventSubscription events = c.subscribe("SELECT * FROM __InstanceModificationEvent WITHIN 5 WHERE TargetInstance ISA "
                     + "'Msvm_ComputerSystem'")) {
            long start = System.nanoTime();
            assertEquals(List.of(), events.poll(10, TIMEOUT.multipliedBy(2)).events(), "no event within the poll's wait");
            assertTrue(System.nanoTime() - start >= TIMEOUT.multipliedBy(2).toNanos(), "the poll waited its time");
        }
    }

    /**
     * A call whose answer comes after the timeout fails, and the connection it leaves (the late
     * answer still on its way) is not used again: the next call gets its own answer on a new one.
     */
    @Test
    void aCallAfterOneThatTimedOutGetsItsOwnAnswer() throws Exception {
        try (ServerFixture fx = new ServerFixture(dir, ServerLimits.defaults());
             ManagementClient c = ThriftManagementClient.connect(shortTimeout(fx))) {
            VmInfo web = fx.mocked.add("web01", VmState.RUNNING);
            AtomicBoolean slow = new AtomicBoolean(true);
            when(fx.mocked.service.list()).thenAnswer(i -> {
                if (slow.getAndSet(false)) {
                    Thread.sleep(TIMEOUT.multipliedBy(2).toMillis());
                    return List.of(); // the late answer: no VM
                }
                return List.of(web);
            });
            ConnectionException e = assertThrows(ConnectionException.class, () -> c.query("SELECT * FROM Msvm_ComputerSystem"));
            assertTrue(e.getMessage().contains("the server sent nothing within the socket's timeout"), e.getMessage());
            Thread.sleep(TIMEOUT.multipliedBy(2).toMillis()); // the late answer arrives on the old connection
            assertEquals(2, c.query("SELECT * FROM Msvm_ComputerSystem").size(), "the host and web01: this query's own answer");
        }
    }

    /**
     * A short connect timeout (the shell's probe of a running host) bounds connecting only: a call
     * that takes longer than it, within the call timeout, gets its answer.
     */
    @Test
    void theConnectTimeoutDoesNotBoundACall() throws Exception {
        try (ServerFixture fx = new ServerFixture(dir, ServerLimits.defaults());
             ManagementClient c = ThriftManagementClient.connect(fx.options("reader", ServerFixture.READER_PASSWORD)
                     .withConnectTimeout(TIMEOUT))) {
            VmInfo web = fx.mocked.add("web01", VmState.RUNNING);
            when(fx.mocked.service.list()).thenAnswer(i -> {
                Thread.sleep(TIMEOUT.multipliedBy(2).toMillis());
                return List.of(web);
            });
            assertEquals(2, c.query("SELECT * FROM Msvm_ComputerSystem").size(), "the host and web01");
        }
    }

    /** ...and it does bound connecting: a host that takes the TCP connection and never answers the handshake. */
    @Test
    void aHostThatNeverAnswersTheHandshakeFailsWithinTheConnectTimeout() throws Exception {
        try (ServerFixture fx = new ServerFixture(dir, ServerLimits.defaults());
             java.net.ServerSocket silent = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            ClientOptions o = fx.options("reader", ServerFixture.READER_PASSWORD).withAddress("127.0.0.1", silent.getLocalPort())
                    .withConnectTimeout(TIMEOUT);
            long start = System.nanoTime();
            assertThrows(ConnectionException.class, () -> ThriftManagementClient.connect(o));
            long took = System.nanoTime() - start;
            assertTrue(took < o.timeout().toNanos() / 2, "connecting took " + took / 1_000_000 + " ms, the call timeout is "
                    + o.timeout());
        }
    }
}
