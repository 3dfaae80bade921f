package dev.parvis.wmi.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parvis.root.vm.VmState;
import dev.parvis.wmi.client.ManagementClient;
import dev.parvis.wmi.client.ThriftManagementClient;
import dev.parvis.wmi.security.HostCertificate;
import dev.parvis.wmi.thrift.gen.ManagementApi;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.net.ssl.SSLSocket;
import org.apache.thrift.TApplicationException;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.protocol.TField;
import org.apache.thrift.protocol.TList;
import org.apache.thrift.protocol.TMap;
import org.apache.thrift.protocol.TMessage;
import org.apache.thrift.protocol.TMessageType;
import org.apache.thrift.protocol.TStruct;
import org.apache.thrift.protocol.TType;
import org.apache.thrift.transport.TMemoryBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile bytes on authenticated-or-not TLS connections: truncated and garbage frames, frame
 * lengths past the limit, strings, lists and maps that claim gigabytes, unknown methods, nesting
 * past the limit. Each gets an error answer or a closed connection; the server keeps serving, and
 * no allocation follows an unchecked length (twenty connections each claiming a 2 GB string
 * would exhaust the heap if one did).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MalformedInputTest {
    @TempDir
    static Path dir;

    private ServerFixture fx;
    private String token;

    @BeforeAll
    void start() throws Exception {
        fx = new ServerFixture(dir, ServerLimits.defaults());
        fx.mocked.add("web01", VmState.RUNNING);
        try (ThriftManagementClient c = ThriftManagementClient.connect(fx.options("admin", ServerFixture.ADMIN_PASSWORD))) {
            token = c.token();
        }
    }

    @AfterAll
    void stop() {
        fx.close();
    }

    private SSLSocket raw(ServerFixture server) throws IOException {
        SSLSocket s = (SSLSocket) HostCertificate.clientContext(server.certificate.pemFile()).getSocketFactory()
                .createSocket("127.0.0.1", server.server.address().getPort());
        s.setSoTimeout(20_000);
        s.startHandshake();
        return s;
    }

    /** Sends {@code frame} (with its own 4-byte length unless {@code length} overrides it) and reads until the server closes or answers. */
    private Outcome send(byte[] payload, Integer length) throws IOException {
        try (SSLSocket s = raw(fx)) {
            OutputStream out = s.getOutputStream();
            out.write(ByteBuffer.allocate(4).putInt(length != null ? length : payload.length).array());
            out.write(payload);
            out.flush();
            if (length != null && length > payload.length) {
                s.shutdownOutput(); // a truncated frame: the rest never comes
            }
            return read(s.getInputStream());
        }
    }

    /** What the server did: answered with a frame (an error reply) or closed the connection. */
    private record Outcome(boolean answered, boolean closed) {
    }

    private static Outcome read(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        try {
            int size = data.readInt();
            assertTrue(size > 0 && size < 1 << 20, "answer frame size " + size);
            data.readFully(new byte[size]);
            return new Outcome(true, false);
        } catch (java.io.EOFException | java.net.SocketException e) {
            return new Outcome(false, true);
        }
    }

    private static byte[] message(String method, Writer body) throws Exception {
        TMemoryBuffer buf = new TMemoryBuffer(256);
        TBinaryProtocol p = new TBinaryProtocol(buf, true, true);
        p.writeMessageBegin(new TMessage(method, TMessageType.CALL, 1));
        p.writeStructBegin(new TStruct("args"));
        body.write(p);
        return java.util.Arrays.copyOf(buf.getArray(), buf.length());
    }

    private interface Writer {
        void write(TBinaryProtocol p) throws Exception;
    }

    /** A new, well-behaved connection is still served (token login: the check is the server, not Argon2). */
    private void assertServerStillServes() {
        try (ManagementClient c = ThriftManagementClient.resume(fx.options("admin", ServerFixture.ADMIN_PASSWORD), token)) {
            assertEquals(2, c.query("SELECT * FROM Msvm_ComputerSystem").size());
        }
    }

    @Test
    void framesThatLieAboutTheirLengthCloseTheConnection() throws Exception {
        assertTrue(send(new byte[] {1, 2, 3}, 100).closed(), "truncated frame");
        assertTrue(send(new byte[] {1, 2, 3}, Integer.MAX_VALUE).closed(), "frame past the limit");
        assertTrue(send(new byte[] {1, 2, 3}, -5).closed(), "negative frame length");
        assertTrue(send(new byte[] {1, 2, 3}, 256 * 1024 + 1).closed(), "one byte past the frame limit");
        assertServerStillServes();
    }

    @Test
    void garbageFramesGetAnErrorOrAClose() throws Exception {
        Random random = new Random(11);
        int answered = 0;
        for (int i = 0; i < 60; i++) {
            byte[] junk = new byte[1 + random.nextInt(2000)];
            random.nextBytes(junk);
            if (i % 3 == 0) {
                junk[0] = (byte) 0x80; // a plausible version, then garbage
                junk[1] = 1;
            }
            Outcome o = send(junk, null);
            answered += o.answered() ? 1 : 0;
        }
        System.out.printf("fuzz: 60 garbage frames: %d answered with an error, %d closed%n", answered, 60 - answered);
        assertServerStillServes();
    }

    @Test
    void stringsListsAndMapsClaimingGigabytesAreRefusedWithoutAllocating() throws Exception {
        byte[] hugeString = message("login", p -> {
            p.writeFieldBegin(new TField("user", TType.STRING, (short) 1));
            p.getTransport().write(ByteBuffer.allocate(4).putInt(0x7ff00000).array());
            p.getTransport().write("abc".getBytes());
        });
        byte[] hugeMap = message("invokeMethod", p -> {
            p.writeFieldBegin(new TField("inParameters", TType.MAP, (short) 3));
            p.writeMapBegin(new TMap(TType.STRING, TType.STRUCT, Integer.MAX_VALUE));
        });
        byte[] hugeList = message("invokeMethod", p -> {
            p.writeFieldBegin(new TField("inParameters", TType.MAP, (short) 3));
            p.writeMapBegin(new TMap(TType.STRING, TType.STRUCT, 1));
            p.writeString("x");
            p.writeStructBegin(new TStruct("CimValue"));
            p.writeFieldBegin(new TField("textArray", TType.LIST, (short) 8));
            p.writeListBegin(new TList(TType.STRING, 2_000_000_000));
        });
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            List<Future<Outcome>> all = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                byte[] frame = i % 3 == 0 ? hugeString : i % 3 == 1 ? hugeMap : hugeList;
                all.add(pool.submit(() -> send(frame, null)));
            }
            for (Future<Outcome> f : all) {
                Outcome o = f.get();
                assertTrue(o.answered() || o.closed());
            }
        } finally {
            pool.shutdownNow();
        }
        assertServerStillServes();
    }

    /**
     * The first message of a connection is held to its frame like every other, whatever the string
     * limit: with strings allowed up to 64 MiB, a login whose user name claims 24 MiB in a frame of a
     * few bytes is refused without 24 MiB being allocated for it. (libthrift 0.17 takes a transport's
     * message-size budget from its configuration when it is built and after each flush; a budget set
     * on the server's TSocket afterwards left the first message the library's default of 100 MB.)
     */
    @Test
    void theFirstMessageIsHeldToTheFrameLimitWhateverTheStringLimit() throws Exception {
        ServerLimits looseStrings = ServerLimits.defaults().withMaxStringBytes(64 << 20);
        byte[] claim = message("login", p -> {
            p.writeFieldBegin(new TField("user", TType.STRING, (short) 1));
            p.getTransport().write(ByteBuffer.allocate(4).putInt(24 << 20).array());
            p.getTransport().write("abc".getBytes());
        });
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        try (ServerFixture loose = new ServerFixture(java.nio.file.Files.createDirectories(dir.resolve("loose-strings")), looseStrings)) {
            long before = threads.getTotalThreadAllocatedBytes();
            try (HostileClient c = HostileClient.open(HostileClient.factory(loose), loose, Duration.ofSeconds(20))) {
                c.send(frame(claim));
                // the claimed bytes never come: the server sees the end of the frame, and then of the connection
                assertEquals(List.of("1 application error " + TApplicationException.PROTOCOL_ERROR), seqidsAndOutcomes(c.drain()),
                        "a string past the end of its frame is refused");
            }
            long allocated = threads.getTotalThreadAllocatedBytes() - before;
            assertTrue(allocated < 8 << 20, "allocated " + (allocated >> 10) + " KiB for a 24 MiB claim in a " + claim.length + "-byte frame");
        }
    }

    @Test
    void unknownMethodsAndDeepNestingAreAnsweredWithErrors() throws Exception {
        assertTrue(send(message("explode", p -> p.writeFieldStop()), null).answered(), "unknown method: an error reply");
        byte[] deep = message("invokeMethod", p -> {
            p.writeFieldBegin(new TField("inParameters", TType.MAP, (short) 3));
            for (int level = 0; level < 500; level++) {
                p.writeMapBegin(new TMap(TType.STRING, TType.STRUCT, 1));
                p.writeString("SettingData");
                p.writeStructBegin(new TStruct("CimValue"));
                p.writeFieldBegin(new TField("instances", TType.LIST, (short) 10));
                p.writeListBegin(new TList(TType.STRUCT, 1));
                p.writeStructBegin(new TStruct("CimInstance"));
                p.writeFieldBegin(new TField("className", TType.STRING, (short) 1));
                p.writeString("X");
                p.writeFieldBegin(new TField("path", TType.STRING, (short) 2));
                p.writeString("");
                p.writeFieldBegin(new TField("properties", TType.MAP, (short) 3));
            }
        });
        Outcome o = send(deep, null);
        assertTrue(o.answered() || o.closed());
        assertServerStillServes();
        List<String> audit = fx.auditLines();
        assertTrue(audit.stream().anyMatch(l -> l.contains("closed")) || audit.stream().anyMatch(l -> l.contains("refused")), "audited");
    }

    /** {@code messages} one after the other, in one frame. */
    private static byte[] frame(byte[]... messages) {
        int length = java.util.Arrays.stream(messages).mapToInt(m -> m.length).sum();
        ByteBuffer b = ByteBuffer.allocate(4 + length).putInt(length);
        for (byte[] m : messages) {
            b.put(m);
        }
        return b.array();
    }

    /** A connection logged in with the administrator's token. */
    private HostileClient loggedIn() throws Exception {
        HostileClient c = HostileClient.open(HostileClient.factory(fx), fx, Duration.ofSeconds(20));
        assertTrue(c.call(RecordedCall.of("resume", new ManagementApi.resume_args(token), 1)).succeeded(), "resume");
        return c;
    }

    private static List<String> seqidsAndOutcomes(List<HostileClient.Answer> answers) {
        return answers.stream().map(a -> a.seqid() + " " + a.what()).toList();
    }

    /**
     * A frame holds one message: after a protocol error the server answers and drops the rest of
     * that frame, so a second message hidden behind the bad field is never run, and the next frame
     * is read from its own start.
     */
    @Test
    void theRestOfAFrameWithAProtocolErrorIsDroppedNotReadAsTheNextMessage() throws Exception {
        byte[] badField = message("query", p -> p.writeFieldBegin(new TField("wql", (byte) 17, (short) 1)));
        byte[] hidden = RecordedCall.of("query", new ManagementApi.query_args("SELECT * FROM Msvm_ComputerSystem"), 77).bytes();
        byte[] next = RecordedCall.of("query", new ManagementApi.query_args("SELECT * FROM Msvm_ComputerSystem"), 88).bytes();
        try (HostileClient c = loggedIn()) {
            c.send(frame(badField, hidden));
            c.send(frame(next));
            assertEquals(List.of("1 application error " + TApplicationException.PROTOCOL_ERROR, "88 success"), seqidsAndOutcomes(c.drain()));
        }
    }

    /**
     * A frame's buffer grows with the bytes that arrive, not with the length its header claims:
     * sixteen slow clients that each claim a frame at the limit and send 100 bytes of it make the
     * server allocate a small part of sixteen frames (it used to allocate each claim whole, so 512
     * such clients held 128 MiB).
     */
    @Test
    void aFrameBufferFollowsTheBytesReceivedNotTheLengthClaimed() throws Exception {
        int clients = 16;
        int claim = ServerLimits.defaults().maxFrameBytes();
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        List<HostileClient> slow = new ArrayList<>();
        try {
            for (int i = 0; i < clients; i++) {
                slow.add(loggedIn()); // answered: each connection's thread now waits for its next frame
            }
            long before = threads.getTotalThreadAllocatedBytes();
            for (HostileClient c : slow) {
                c.send(ByteBuffer.allocate(4 + 100).putInt(claim).array());
            }
            for (HostileClient c : slow) {
                assertEquals(List.of(), c.drain(), "a frame cut short is not answered");
            }
            long allocated = threads.getTotalThreadAllocatedBytes() - before;
            System.out.printf("%d frames claiming %d KiB, 100 bytes sent: %d KiB allocated%n", clients, claim >> 10, allocated >> 10);
            assertTrue(allocated < (long) clients * claim / 4, "allocated %d KiB for %d frames claiming %d KiB and sending 100 bytes"
                    .formatted(allocated >> 10, clients, claim >> 10));
        } finally {
            for (HostileClient c : slow) {
                c.close();
            }
        }
    }

    /**
     * A message ends with its frame: one whose last string claims the bytes of the frame after it is
     * answered with a protocol error, never completed from that frame, which is then read as a
     * message of its own.
     */
    @Test
    void aMessageIsNeverCompletedFromTheNextFrame() throws Exception {
        byte[] next = RecordedCall.of("query", new ManagementApi.query_args("SELECT * FROM Msvm_ComputerSystem"), 88).bytes();
        byte[] cut = message("query", p -> {
            p.writeFieldBegin(new TField("wql", TType.STRING, (short) 1));
            p.writeI32(next.length); // the string's bytes would be the next frame's
        });
        try (HostileClient c = loggedIn()) {
            c.send(frame(cut));
            c.send(frame(next));
            assertEquals(List.of("1 application error " + TApplicationException.PROTOCOL_ERROR, "88 success"), seqidsAndOutcomes(c.drain()));
        }
    }

    /**
     * Only calls are served: a message typed REPLY, EXCEPTION or ONEWAY, or with a type byte Thrift
     * does not define, is answered INVALID_MESSAGE_TYPE and not run, and the connection goes on.
     */
    @Test
    void messagesThatAreNotCallsAreRefusedAndNotRun() throws Exception {
        String notACall = "SELECT * FROM Msvm_ComputerSystem WHERE ElementName = 'not-a-call'";
        List<String> expected = new ArrayList<>();
        try (HostileClient c = loggedIn()) {
            for (byte type : new byte[] {TMessageType.REPLY, TMessageType.EXCEPTION, TMessageType.ONEWAY, 0, 5, (byte) 0xff}) {
                int seqid = 10 + (type & 0xff);
                byte[] m = RecordedCall.of("query", new ManagementApi.query_args(notACall), seqid).bytes();
                m[3] = type; // the low byte of the strict version word
                c.send(frame(m));
                expected.add(seqid + " application error " + TApplicationException.INVALID_MESSAGE_TYPE);
            }
            c.send(frame(RecordedCall.of("query", new ManagementApi.query_args("SELECT * FROM Msvm_ComputerSystem"), 88).bytes()));
            expected.add("88 success");
            assertEquals(expected, seqidsAndOutcomes(c.drain()));
        }
        List<String> audit = fx.auditLines();
        assertTrue(audit.stream().noneMatch(l -> l.contains("not-a-call")), "a message that is not a call was run: " + audit);
        assertTrue(audit.stream().anyMatch(l -> l.contains("call=message REPLY query") && l.contains("refused")), "refusal audited");
    }

    /**
     * The server refuses every ONEWAY message, which is right only while the IDL declares no oneway
     * method (the generated client of a oneway method sends and never receives): one added to the
     * IDL must be admitted in {@link CallProcessor}.
     */
    @Test
    void theIdlDeclaresNoOnewayMethod() {
        List<String> oneway = java.util.Arrays.stream(ManagementApi.Client.class.getDeclaredMethods()).map(java.lang.reflect.Method::getName)
                .filter(n -> n.startsWith("send_")).map(n -> n.substring(5))
                .filter(n -> java.util.Arrays.stream(ManagementApi.Client.class.getDeclaredMethods()).noneMatch(r -> r.getName().equals("recv_" + n)))
                .toList();
        assertEquals(List.of(), oneway, "oneway methods in the IDL, which CallProcessor refuses");
    }

    @Test
    void wqlSyntaxErrorsAnswerWithoutClosing() {
        try (ManagementClient c = ThriftManagementClient.resume(fx.options("admin", ServerFixture.ADMIN_PASSWORD), token)) {
            String[] bad = {"SELECT", "SELECT * FROM", "SELECT * FROM X WHERE (a = 1", "ASSOCIATORS OF {Msvm_X.Name=\"a} WHERE",
                    "SELECT * FROM X WHERE a LIKE", "DROP TABLE X", "SELECT * FROM X WHERE a = 'x' " + "OR a = 'x' ".repeat(2000)};
            for (String q : bad) {
                org.junit.jupiter.api.Assertions.assertThrows(dev.parvis.wmi.cim.CimException.class, () -> c.query(q), q);
            }
            assertEquals(2, c.query("SELECT * FROM Msvm_ComputerSystem").size());
        }
    }
}
