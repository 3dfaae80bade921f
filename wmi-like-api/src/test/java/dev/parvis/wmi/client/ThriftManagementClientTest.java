package dev.parvis.wmi.client;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.wmi.security.HostCertificate;
import dev.parvis.wmi.thrift.gen.ManagementApi;
import dev.parvis.wmi.thrift.gen.SessionInfo;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.protocol.TField;
import org.apache.thrift.protocol.TList;
import org.apache.thrift.protocol.TMap;
import org.apache.thrift.protocol.TMessage;
import org.apache.thrift.protocol.TMessageType;
import org.apache.thrift.protocol.TProtocol;
import org.apache.thrift.protocol.TStruct;
import org.apache.thrift.protocol.TType;
import org.apache.thrift.transport.TMemoryBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Thrift client against a hostile server that holds the host certificate: it answers the login
 * with a frame header claiming far more than it then sends, or a query with an answer nested far
 * too deep. The client's memory follows the bytes that arrive, and the call fails with an error
 * saying what happened, within the client's timeout.
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
        byte[] cutShort = ByteBuffer.allocate(4 + 100).putInt(claim).array();
        return withFakeServer(cert, List.of(cutShort), then, options -> ThriftManagementClient.connect(options));
    }

    /**
     * A server nesting its answer a hundred thousand levels deep (which the generated readers would
     * follow, a few stack frames a level) is refused at the client's depth limit, and the call fails
     * with a ConnectionException instead of a StackOverflowError.
     */
    @Test
    void anAnswerNestedTooDeepIsRefusedAtTheDepthLimit() throws Exception {
        HostCertificate cert = HostCertificate.loadOrCreate(dir.resolve("tls"), "testhost");
        byte[] login = message("login", 1, p -> new ManagementApi.login_result()
                .setSuccess(new SessionInfo("admin", "administrator", "testhost", "token")).write(p));
        byte[] deep = message("query", 2, p -> {
            p.writeStructBegin(new TStruct("query_result"));
            p.writeFieldBegin(new TField("success", TType.LIST, (short) 0));
            p.writeListBegin(new TList(TType.STRUCT, 1));
            for (int level = 0; level < 100_000; level++) { // a CimInstance whose one property holds a CimInstance
                p.writeFieldBegin(new TField("properties", TType.MAP, (short) 3));
                p.writeMapBegin(new TMap(TType.STRING, TType.STRUCT, 1));
                p.writeString("p");
                p.writeFieldBegin(new TField("instances", TType.LIST, (short) 10));
                p.writeListBegin(new TList(TType.STRUCT, 1));
            }
        });
        ConnectionException e = withFakeServer(cert, List.of(login, deep), Then.STALL, options -> {
            try (ThriftManagementClient c = ThriftManagementClient.connect(options)) {
                c.query("SELECT * FROM Msvm_ComputerSystem");
            }
        });
        assertTrue(e.getMessage().contains("input nests deeper than " + ThriftManagementClient.MAX_NESTING + " levels"), e.getMessage());
    }

    private interface Write {
        void to(TProtocol p) throws TException;
    }

    /** A framed REPLY message to {@code method}, its body written by {@code body}. */
    private static byte[] message(String method, int seqid, Write body) throws TException {
        TMemoryBuffer buffer = new TMemoryBuffer(1024);
        TBinaryProtocol p = new TBinaryProtocol(buffer, true, true);
        p.writeMessageBegin(new TMessage(method, TMessageType.REPLY, seqid));
        body.to(p);
        byte[] bytes = buffer.getArray();
        return ByteBuffer.allocate(4 + buffer.length()).putInt(buffer.length()).put(bytes, 0, buffer.length()).array();
    }

    /** Runs {@code client} against a fake server that gives {@code answers}, one per request, then {@code then}; returns how it failed. */
    private static ConnectionException withFakeServer(HostCertificate cert, List<byte[]> answers, Then then,
                                                      java.util.function.Consumer<ClientOptions> client) throws IOException {
        try (SSLServerSocket listener = (SSLServerSocket) cert.serverContext().getServerSocketFactory().createServerSocket()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread server = Thread.ofPlatform().daemon().start(() -> answerHostile(listener, answers, then));
            ClientOptions options = new ClientOptions("127.0.0.1", listener.getLocalPort(), cert.pemFile(), "admin", "password", TIMEOUT);
            try {
                return assertThrows(ConnectionException.class, () -> client.accept(options));
            } finally {
                server.interrupt();
            }
        }
    }

    /** Takes one connection, reads a request frame before each of {@code answers}, then stalls, closes or trickles. */
    private static void answerHostile(SSLServerSocket listener, List<byte[]> answers, Then then) {
        try (SSLSocket s = (SSLSocket) listener.accept()) {
            s.setEnabledProtocols(HostCertificate.protocols());
            DataInputStream in = new DataInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            for (byte[] answer : answers) {
                in.readFully(new byte[in.readInt()]);
                out.write(answer);
                out.flush();
            }
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
