package dev.parvis.wmi.remote;

import dev.parvis.wmi.security.HostCertificate;
import dev.parvis.wmi.thrift.gen.ManagementApi;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.apache.thrift.TApplicationException;
import org.apache.thrift.TBase;
import org.apache.thrift.TException;
import org.apache.thrift.TFieldIdEnum;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.protocol.TMessage;
import org.apache.thrift.protocol.TMessageType;
import org.apache.thrift.transport.TMemoryInputTransport;

/**
 * A raw TLS connection to the management server that writes frames exactly as given and reads
 * each answer as the IDL defines it: an application error, or a reply carrying one result or one
 * declared exception. An answer that is neither fails with an {@link AssertionError}.
 */
final class HostileClient implements AutoCloseable {
    /** The largest answer expected: a query of the fixture's few instances is a few KiB. */
    private static final int MAX_ANSWER_BYTES = 1 << 20;
    private static final Map<String, Supplier<TBase<?, ?>>> RESULTS = Map.of(
            "login", ManagementApi.login_result::new, "resume", ManagementApi.resume_result::new,
            "query", ManagementApi.query_result::new, "getInstance", ManagementApi.getInstance_result::new,
            "invokeMethod", ManagementApi.invokeMethod_result::new, "subscribe", ManagementApi.subscribe_result::new,
            "poll", ManagementApi.poll_result::new, "unsubscribe", ManagementApi.unsubscribe_result::new);

    /**
     * One answer: {@code what} is "application error N" or the name of the result's one set field
     * ("success", or the declared exception's field name), "void" for unsubscribe's success.
     */
    record Answer(String method, int seqid, String what, TBase<?, ?> result) {
        boolean succeeded() {
            return what.equals("success") || what.equals("void");
        }
    }

    private final SSLSocket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private HostileClient(SSLSocket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** A factory of TLS connections trusting {@code fx}'s certificate; one for many connections lets TLS resume sessions. */
    static SSLSocketFactory factory(ServerFixture fx) {
        return HostCertificate.clientContext(fx.certificate.pemFile()).getSocketFactory();
    }

    /** A TLS connection to {@code fx}'s server; every read gives up after {@code timeout}. */
    static HostileClient open(SSLSocketFactory factory, ServerFixture fx, Duration timeout) throws IOException {
        SSLSocket s = (SSLSocket) factory.createSocket("127.0.0.1", fx.server.address().getPort());
        s.setSoTimeout((int) timeout.toMillis());
        s.setTcpNoDelay(true);
        s.startHandshake();
        return new HostileClient(s);
    }

    /** A client over {@code socket}, a TLS connection whose handshake is done. */
    static HostileClient over(SSLSocket socket) throws IOException {
        return new HostileClient(socket);
    }

    /** Sends a well-formed call and returns its answer. */
    Answer call(RecordedCall call) throws IOException, TException {
        send(ByteBuffer.allocate(4 + call.bytes().length).putInt(call.bytes().length).put(call.bytes()).array());
        return parse(readFrame());
    }

    void send(byte[] wire) throws IOException {
        out.write(wire);
        out.flush();
    }

    /**
     * Ends this side of the connection and reads answers until the server closes its side; a
     * server that neither answers nor closes within the read timeout throws
     * {@link java.net.SocketTimeoutException}.
     */
    List<Answer> drain() throws IOException, TException {
        socket.shutdownOutput();
        return untilClosed();
    }

    /**
     * Reads answers until the server closes the connection, this side left open; a server that
     * neither answers nor closes within the read timeout throws {@link java.net.SocketTimeoutException}.
     */
    List<Answer> untilClosed() throws IOException, TException {
        List<Answer> answers = new ArrayList<>();
        while (true) {
            byte[] frame;
            try {
                frame = readFrame();
            } catch (EOFException | SocketException closed) {
                return answers;
            }
            answers.add(parse(frame));
        }
    }

    private byte[] readFrame() throws IOException {
        int size = in.readInt();
        if (size <= 0 || size > MAX_ANSWER_BYTES) {
            throw new AssertionError("an answer frame of " + size + " bytes");
        }
        byte[] frame = new byte[size];
        in.readFully(frame);
        return frame;
    }

    /** Reads an answer as a client of the IDL would, and insists on exactly one outcome. */
    static Answer parse(byte[] frame) throws TException {
        TBinaryProtocol p = new TBinaryProtocol(new TMemoryInputTransport(frame), true, true);
        TMessage m = p.readMessageBegin();
        if (m.type == TMessageType.EXCEPTION) {
            TApplicationException x = TApplicationException.readFrom(p);
            if (x.getType() == TApplicationException.INTERNAL_ERROR) {
                throw new AssertionError("the server answered '" + m.name + "' with an internal error: " + x.getMessage());
            }
            return new Answer(m.name, m.seqid, "application error " + x.getType(), null);
        }
        Supplier<TBase<?, ?>> empty = RESULTS.get(m.name);
        if (m.type != TMessageType.REPLY || empty == null) {
            throw new AssertionError("an answer of message type " + m.type + " to '" + m.name + "'");
        }
        TBase<?, ?> result = empty.get();
        result.read(p);
        List<String> set = new ArrayList<>();
        for (short id = 0; id < 16; id++) {
            TFieldIdEnum f = result.fieldForId(id);
            if (f != null && isSet(result, f)) {
                set.add(f.getFieldName());
            }
        }
        if (set.size() > 1 || (set.isEmpty() && !m.name.equals("unsubscribe"))) {
            throw new AssertionError("a reply to '" + m.name + "' with " + set.size() + " outcomes " + set + ": " + result);
        }
        return new Answer(m.name, m.seqid, set.isEmpty() ? "void" : set.getFirst(), result);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static boolean isSet(TBase result, TFieldIdEnum f) {
        return result.isSet(f);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
