package dev.parvis.wmi.client;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.wmi.security.HostCertificate;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Thrift client against a hostile server that holds the host certificate: it answers the login
 * with a frame header claiming far more than it then sends. The client's memory follows the bytes
 * that arrive, and the call fails with an error saying what happened, within the client's timeout.
 */
class ThriftManagementClientTest {
    /** The client's socket timeout here: a stalled answer fails after it. */
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @TempDir
    Path dir;

    /** What the fake server does after its 100 bytes of the claimed frame: nothing, close, or send a byte every fifth of the timeout. */
    private enum Then { STALL, CLOSE, TRICKLE }

    @Test
    void anAnswerClaiming64MiBThatStallsCostsTheBytesReceivedAndTimesOut() throws Exception {
        ConnectionException e = login(ThriftManagementClient.MAX_FRAME, Then.STALL, "the server sent nothing within the socket's timeout");
        assertTrue(e.getMessage().startsWith("cannot connect to 127.0.0.1:"), e.getMessage());
    }

    @Test
    void anAnswerClaiming64MiBCutShortIsAConnectionClosedInsideAFrame() throws Exception {
        login(ThriftManagementClient.MAX_FRAME, Then.CLOSE, "the server closed the connection inside a frame");
    }

    @Test
    void anAnswerTrickledAByteAtATimeFailsAtTheTimeoutFromItsFirstByte() throws Exception {
        login(ThriftManagementClient.MAX_FRAME, Then.TRICKLE, "the server's frame did not arrive whole within 1000 ms of its first byte");
    }

    @Test
    void anAnswerFrameOverTheClientsLimitIsRefusedBeforeItsBytes() throws Exception {
        login(ThriftManagementClient.MAX_FRAME + 1, Then.STALL,
                "the server sent a frame of " + (ThriftManagementClient.MAX_FRAME + 1) + " bytes; the limit is " + ThriftManagementClient.MAX_FRAME);
    }

    /**
     * Logs in to a fake server that answers with a header claiming {@code claim} bytes and 100 of
     * them; asserts the login fails saying {@code why}, within a few timeouts, having allocated a
     * small part of the claim on this thread (where the client reads its answers). A first login,
     * not measured, loads the TLS and Thrift classes.
     */
    private ConnectionException login(int claim, Then then, String why) throws Exception {
        HostCertificate cert = HostCertificate.loadOrCreate(dir.resolve("tls"), "testhost");
        attempt(cert, 200, Then.CLOSE);
        long thread = Thread.currentThread().threadId();
        long before = THREADS.getThreadAllocatedBytes(thread);
        long start = System.nanoTime();
        ConnectionException e = attempt(cert, claim, then);
        long allocated = THREADS.getThreadAllocatedBytes(thread) - before;
        long took = System.nanoTime() - start;
        assertTrue(allocated < 4 << 20, "allocated " + (allocated >> 10) + " KiB for a frame claiming " + (claim >> 10) + " KiB, 100 bytes sent");
        assertTrue(e.getMessage().contains(why), e.getMessage());
        assertTrue(took < 4 * TIMEOUT.toNanos(), "the login failed after " + took / 1_000_000 + " ms");
        return e;
    }

    private static ConnectionException attempt(HostCertificate cert, int claim, Then then) throws IOException {
        try (SSLServerSocket listener = (SSLServerSocket) cert.serverContext().getServerSocketFactory().createServerSocket()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread server = Thread.ofPlatform().daemon().start(() -> answerHostile(listener, claim, then));
            ClientOptions options = new ClientOptions("127.0.0.1", listener.getLocalPort(), cert.pemFile(), "admin", "password", TIMEOUT);
            try {
                return assertThrows(ConnectionException.class, () -> ThriftManagementClient.connect(options));
            } finally {
                server.interrupt();
            }
        }
    }

    /** Takes one connection, reads its request frame, answers with {@code claim} in a header and 100 bytes, then stalls or closes. */
    private static void answerHostile(SSLServerSocket listener, int claim, Then then) {
        try (SSLSocket s = (SSLSocket) listener.accept()) {
            s.setEnabledProtocols(HostCertificate.protocols());
            DataInputStream in = new DataInputStream(s.getInputStream());
            in.readFully(new byte[in.readInt()]);
            OutputStream out = s.getOutputStream();
            out.write(ByteBuffer.allocate(4 + 100).putInt(claim).array());
            out.flush();
            if (then == Then.STALL) {
                Thread.sleep(30_000); // longer than the client waits: interrupted when the test ends
            }
            for (int i = 0; then == Then.TRICKLE && i < 150; i++) {
                Thread.sleep(TIMEOUT.toMillis() / 5); // never long enough for the client's socket timeout
                out.write(0);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // The client gave up first, or the test ended: either way this connection is done.
        }
    }
}
