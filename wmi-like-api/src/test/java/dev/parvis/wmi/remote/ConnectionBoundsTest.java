package dev.parvis.wmi.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.parvis.wmi.client.ThriftManagementClient;
import dev.parvis.wmi.thrift.gen.ManagementApi;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What one client can hold of the server: its address's share of the connections, and a
 * connection only as long as its deadlines allow, however it spaces its bytes. Each client here
 * first proves its connection open (the server counts it, or answers on it), then sees the server
 * close it: its TCP socket reads the end of the stream while it is still sending.
 */
class ConnectionBoundsTest {
    /** The deadlines under test; a trickling client sends a byte every {@link #TRICKLE}, a sixth of them. */
    private static final Duration SHORT = Duration.ofMillis(300);
    private static final Duration TRICKLE = Duration.ofMillis(50);
    /** How long a trickling client goes on before the test calls its connection kept: far past every deadline under test. */
    private static final Duration GIVE_UP = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void anAddressHoldsAtMostItsShareOfTheConnectionsAndOtherAddressesAreStillServed() throws Exception {
        try (ServerFixture fx = new ServerFixture(dir, ServerLimits.defaults().withConnections(8, 2))) {
            String token = token(fx);
            List<HostileClient> held = new ArrayList<>();
            try {
                held.add(resumed(fx, "127.0.0.1", token));
                held.add(resumed(fx, "127.0.0.1", token));
                try (Socket third = tcp(fx, "127.0.0.1")) {
                    assertEquals(-1, third.getInputStream().read(), "the server closes the third connection from 127.0.0.1 at accept");
                }
                awaitAudit(fx, "refused: 2 connections from 127.0.0.1 already open");
                held.add(resumed(fx, "127.0.0.2", token)); // another address: served
                assertEquals(3, fx.server.openConnections());
                held.removeFirst().close();
                await(() -> fx.server.openConnections() == 2, "the closed connection's slot is given back");
                held.add(resumed(fx, "127.0.0.1", token));
            } finally {
                for (HostileClient c : held) {
                    c.close();
                }
            }
        }
    }

    @Test
    void aHandshakeTrickledAByteAtATimeIsClosedAtItsDeadline() throws Exception {
        ServerLimits d = ServerLimits.defaults();
        try (ServerFixture fx = new ServerFixture(dir, d.withTimeouts(d.idleTimeout(), SHORT, d.frameTimeout()));
             Socket tcp = tcp(fx, "127.0.0.1")) {
            await(() -> fx.server.openConnections() == 1, "the connection is open");
            // A TLS handshake record claiming 512 bytes, whose bytes then come one at a time.
            tcp.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00});
            assertClosedWhileTrickling(tcp);
            awaitAudit(fx, "refused: the TLS handshake did not finish within 300 ms");
            await(() -> fx.server.openConnections() == 0, "the server ends the connection");
        }
    }

    @Test
    void aRequestFrameTrickledAByteAtATimeIsClosedAtItsDeadline() throws Exception {
        ServerLimits d = ServerLimits.defaults();
        try (ServerFixture fx = new ServerFixture(dir, d.withTimeouts(d.idleTimeout(), d.handshakeTimeout(), SHORT))) {
            String token = token(fx);
            try (Socket tcp = tcp(fx, "127.0.0.1"); HostileClient c = HostileClient.over(tls(fx, tcp))) {
                assertTrue(c.call(resume(token)).succeeded(), "the connection is served");
                // Each byte is a TLS record of its own: the server reads every one of them.
                c.send(ByteBuffer.allocate(4).putInt(4096).array()); // more bytes than a trickle sends before the test gives up
                assertClosedWhileTrickling(tcp, () -> c.send(new byte[1]));
            }
            awaitAudit(fx, "closed: a request frame did not arrive whole within 300 ms of its first byte");
        }
    }

    @Test
    void aConnectionWaitsForItsNextRequestLongerThanAFrameMayTake() throws Exception {
        ServerLimits d = ServerLimits.defaults();
        try (ServerFixture fx = new ServerFixture(dir, d.withTimeouts(d.idleTimeout(), d.handshakeTimeout(), SHORT));
             Socket tcp = tcp(fx, "127.0.0.1"); HostileClient c = HostileClient.over(tls(fx, tcp))) {
            String token = fetchToken(fx);
            assertTrue(c.call(resume(token)).succeeded());
            Thread.sleep(4 * SHORT.toMillis());
            assertTrue(c.call(resume(token)).succeeded(), "an idle connection is kept until its idle timeout");
        }
    }

    @Test
    void anUnfinishedTlsRecordBetweenRequestsIsClosedAtTheIdleDeadline() throws Exception {
        ServerLimits d = ServerLimits.defaults();
        try (ServerFixture fx = new ServerFixture(dir, d.withTimeouts(SHORT, d.handshakeTimeout(), d.frameTimeout()))) {
            String token = token(fx);
            try (Socket tcp = tcp(fx, "127.0.0.1"); HostileClient c = HostileClient.over(tls(fx, tcp))) {
                assertTrue(c.call(resume(token)).succeeded(), "the connection is served");
                // Below TLS: a record claiming 256 bytes, which never completes, so no request byte ever arrives.
                tcp.getOutputStream().write(new byte[] {0x17, 0x03, 0x03, 0x01, 0x00});
                assertClosedWhileTrickling(tcp);
            }
            awaitAudit(fx, "closed: no request began within 300 ms of the last answer");
        }
    }

    @Test
    void aClientThatDoesNotReadItsAnswersIsClosedAtTheAnswerDeadline() throws Exception {
        ServerLimits d = ServerLimits.defaults();
        try (ServerFixture fx = new ServerFixture(dir, d.withTimeouts(d.idleTimeout(), d.handshakeTimeout(), SHORT))) {
            Socket tcp = new Socket();
            tcp.setReceiveBufferSize(4096); // before connecting: the window the server may fill stays small
            tcp.connect(fx.server.address(), 10_000);
            try {
                HostileClient c = HostileClient.over(tls(fx, tcp));
                await(() -> fx.server.openConnections() == 1, "the connection is open");
                // Calls of an unknown method whose name is 32 KiB: each answer repeats it. Sent, never read.
                byte[] call = unknownMethodCall(32 * 1024);
                Thread writer = Thread.ofPlatform().daemon().start(() -> {
                    try {
                        for (int i = 0; i < 2_000; i++) {
                            c.send(call);
                        }
                    } catch (IOException closed) {
                        // the server ended the connection while requests were still going out
                    }
                });
                awaitAudit(fx, "closed: an answer was not taken within 300 ms (the client does not read)");
                await(() -> fx.server.openConnections() == 0, "the server ends the connection");
                writer.join(10_000);
            } finally {
                // The TCP socket, not the TLS one: a TLS close would wait behind a writer the server never drained.
                tcp.close();
            }
        }
    }

    /** A framed CALL of a method named by {@code nameBytes} 'm's, with no arguments (strict binary protocol). */
    private static byte[] unknownMethodCall(int nameBytes) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 + 4 + nameBytes + 4 + 1);
        b.putInt(b.capacity() - 4).putInt(0x80010001).putInt(nameBytes);
        for (int i = 0; i < nameBytes; i++) {
            b.put((byte) 'm');
        }
        return b.putInt(1).put((byte) 0).array();
    }

    private interface Send {
        void send() throws IOException;
    }

    /** Sends a byte on {@code tcp} every {@link #TRICKLE} until the server closes it; fails if it is still open at {@link #GIVE_UP}. */
    private static void assertClosedWhileTrickling(Socket tcp) throws IOException {
        assertClosedWhileTrickling(tcp, () -> tcp.getOutputStream().write(0));
    }

    private static void assertClosedWhileTrickling(Socket tcp, Send oneByte) throws IOException {
        InputStream in = tcp.getInputStream();
        tcp.setSoTimeout((int) TRICKLE.toMillis());
        long giveUp = System.nanoTime() + GIVE_UP.toNanos();
        while (System.nanoTime() - giveUp < 0) {
            try {
                oneByte.send();
                if (in.read() < 0) {
                    return;
                }
                fail("the server sent a byte to a client that has not finished its message");
            } catch (SocketTimeoutException stillOpen) {
                // The server waits on: trickle on.
            } catch (IOException reset) {
                return; // the server closed while a byte was on its way
            }
        }
        fail("the server kept a trickling connection for " + GIVE_UP.toSeconds() + " s");
    }

    private static Socket tcp(ServerFixture fx, String from) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
        s.connect(fx.server.address(), 10_000);
        s.setSoTimeout(10_000);
        s.setTcpNoDelay(true);
        return s;
    }

    /** A client TLS connection over {@code tcp}, its handshake done. */
    private static SSLSocket tls(ServerFixture fx, Socket tcp) throws IOException {
        SSLSocket s = (SSLSocket) HostileClient.factory(fx).createSocket(tcp, "127.0.0.1", fx.server.address().getPort(), false);
        s.startHandshake();
        return s;
    }

    private static HostileClient resumed(ServerFixture fx, String from, String token) throws IOException, org.apache.thrift.TException {
        HostileClient c = HostileClient.over(tls(fx, tcp(fx, from)));
        assertTrue(c.call(resume(token)).succeeded(), "a connection from " + from + " is served");
        return c;
    }

    private static RecordedCall resume(String token) {
        return RecordedCall.of("resume", new ManagementApi.resume_args(token), 1);
    }

    /** A session token, from a client that has then closed its connection and given its slot back. */
    private static String token(ServerFixture fx) throws InterruptedException {
        String token = fetchToken(fx);
        await(() -> fx.server.openConnections() == 0, "the first client's connection ends");
        return token;
    }

    private static String fetchToken(ServerFixture fx) {
        try (ThriftManagementClient c = ThriftManagementClient.connect(fx.options("reader", ServerFixture.READER_PASSWORD))) {
            return c.token();
        }
    }

    private static void awaitAudit(ServerFixture fx, String text) throws Exception {
        await(() -> {
            try {
                return fx.auditLines().stream().anyMatch(l -> l.contains(text));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, "an audit line saying '" + text + "'");
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("not within 10 s: " + what);
            }
            Thread.sleep(10);
        }
    }
}
