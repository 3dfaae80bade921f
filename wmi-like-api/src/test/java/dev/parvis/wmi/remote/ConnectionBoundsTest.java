package dev.parvis.wmi.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.mockito.Mockito.when;

import dev.parvis.wmi.client.EventSubscription;
import dev.parvis.wmi.client.ManagementClient;
import dev.parvis.wmi.client.ThriftManagementClient;
import dev.parvis.wmi.event.EventBatch;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What one client can hold of the server: its address's share of the connections, and a
 * connection only as long as its deadlines allow, however it spaces its bytes, and no longer than
 * the server is open. Each client here
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

    /**
     * Closing the server ends its connections at once, whatever they are doing: idle ones, ones
     * still in (or not yet started on) their TLS handshake, and one whose call the model is still
     * carrying out, which answers first. None waits for its idle deadline; every slot is given back
     * and every connection thread has ended when close() returns.
     */
    @Test
    void closingTheServerEndsEveryConnectionAndACallBeingServedAnswersFirst() throws Exception {
        try (ServerFixture fx = new ServerFixture(dir, ServerLimits.defaults())) {
            String token = token(fx);
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch finish = new CountDownLatch(1);
            when(fx.mocked.service.list()).thenAnswer(i -> {
                entered.countDown();
                finish.await();
                return List.of();
            });
            List<HostileClient> idle = List.of(resumed(fx, "127.0.0.1", token), resumed(fx, "127.0.0.1", token), resumed(fx, "127.0.0.2", token));
            List<Socket> plain = List.of(tcp(fx, "127.0.0.1"), tcp(fx, "127.0.0.3"));
            plain.getFirst().getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00}); // a handshake begun, never finished
            HostileClient busy = resumed(fx, "127.0.0.1", token);
            FutureTask<HostileClient.Answer> answer = background(() -> busy.call(query()));
            assertTrue(entered.await(10, TimeUnit.SECONDS), "the call runs in the model");
            await(() -> fx.server.openConnections() == 6, "six connections open");
            long start = System.nanoTime();
            FutureTask<Void> closing = background(() -> {
                fx.server.close();
                return null;
            });
            for (HostileClient c : idle) {
                assertEquals(List.of(), c.untilClosed(), "an idle TLS connection is closed, nothing sent on it");
            }
            for (Socket s : plain) {
                assertEnds(s);
            }
            finish.countDown(); // the call ends after the idle connections have: its answer still goes out
            assertTrue(answer.get(10, TimeUnit.SECONDS).succeeded(), "the call being served is answered");
            assertEquals(List.of(), busy.untilClosed(), "then its connection is closed");
            closing.get(10, TimeUnit.SECONDS);
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos(), "every connection ended within 5 s");
            assertEquals(0, fx.server.openConnections(), "every slot given back when close() returns");
            assertEquals(0, fx.server.connectionThreads(), "no connection thread left when close() returns");
            assertEquals(4, countAudit(fx, "call=connection result=closed: the management server is closing"), "each TLS connection's end audited");
            assertEquals(2, countAudit(fx, "call=connect result=refused: the management server is closing"), "each unfinished handshake's end audited");
            busy.close();
        }
    }

    /** A long poll being served when the server closes answers at once with what it has, instead of holding the close. */
    @Test
    void closingTheServerAnswersALongPollAtOnce() throws Exception {
        try (ServerFixture fx = new ServerFixture(dir, ServerLimits.defaults().withCloseGrace(Duration.ofSeconds(20)));
             ManagementClient c = ThriftManagementClient.connect(fx.options("reader", ServerFixture.READER_PASSWORD))) {
            EventSubscription events = c.subscribe("SELECT * FROM __InstanceModificationEvent WITHIN 5 WHERE TargetInstance ISA 'Msvm_ComputerSystem'");
            FutureTask<EventBatch> poll = background(() -> events.poll(10, Duration.ofSeconds(25)));
            await(() -> fx.server.openConnections() == 2, "the client's and its subscription's connections are open");
            Thread.sleep(300); // the poll is on its way, then waits in the server
            long start = System.nanoTime();
            fx.server.close();
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos(), "the poll did not hold the close");
            assertEquals(List.of(), poll.get(1, TimeUnit.SECONDS).events(), "the poll is answered, with no events");
            assertEquals(0, fx.server.connectionThreads());
        }
    }

    /** A call still running when the grace ends is cut: its connection closed, its thread interrupted, and close() returns. */
    @Test
    void aCallThatOutlastsTheCloseGraceIsCut() throws Exception {
        try (ServerFixture fx = new ServerFixture(dir, ServerLimits.defaults().withCloseGrace(Duration.ofMillis(500)))) {
            String token = token(fx);
            CountDownLatch entered = new CountDownLatch(1);
            when(fx.mocked.service.list()).thenAnswer(i -> {
                entered.countDown();
                Thread.sleep(60_000);
                return List.of();
            });
            HostileClient busy = resumed(fx, "127.0.0.1", token);
            FutureTask<HostileClient.Answer> answer = background(() -> busy.call(query()));
            assertTrue(entered.await(10, TimeUnit.SECONDS), "the call runs in the model");
            long start = System.nanoTime();
            fx.server.close();
            long took = System.nanoTime() - start;
            assertTrue(took < Duration.ofSeconds(3).toNanos(), "close() took " + took / 1_000_000 + " ms");
            assertThrows(ExecutionException.class, () -> answer.get(5, TimeUnit.SECONDS), "the connection ends with no answer");
            assertEquals(0, fx.server.openConnections());
            assertEquals(0, fx.server.connectionThreads(), "the call's thread has ended");
            busy.close();
        }
    }

    private static RecordedCall query() {
        return RecordedCall.of("query", new ManagementApi.query_args("SELECT * FROM Msvm_ComputerSystem"), 2);
    }

    private static <T> FutureTask<T> background(java.util.concurrent.Callable<T> work) {
        FutureTask<T> task = new FutureTask<>(work);
        Thread.ofPlatform().daemon().start(task);
        return task;
    }

    /** Reads {@code tcp} until the server ends it (an end of stream, or a reset); its read timeout fails the test. */
    private static void assertEnds(Socket tcp) throws IOException {
        InputStream in = tcp.getInputStream();
        try {
            while (in.read() >= 0) {
                // a TLS alert may come first
            }
        } catch (SocketTimeoutException stillOpen) {
            fail("the server kept a connection open after its close");
        } catch (IOException reset) {
            // closed
        }
    }

    private static long countAudit(ServerFixture fx, String text) throws IOException {
        return fx.auditLines().stream().filter(l -> l.contains(text)).count();
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
