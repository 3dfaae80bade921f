package dev.parvis.wmi.client;

import dev.parvis.wmi.cim.AccessDeniedException;
import dev.parvis.wmi.cim.AuthenticationException;
import dev.parvis.wmi.cim.BusyException;
import dev.parvis.wmi.cim.CimEvent;
import dev.parvis.wmi.cim.CimException;
import dev.parvis.wmi.cim.CimInstance;
import dev.parvis.wmi.cim.CimValue;
import dev.parvis.wmi.cim.InvalidParameterException;
import dev.parvis.wmi.cim.MethodResult;
import dev.parvis.wmi.cim.NotFoundException;
import dev.parvis.wmi.cim.ObjectPath;
import dev.parvis.wmi.cim.WqlSyntaxException;
import dev.parvis.wmi.event.EventBatch;
import dev.parvis.wmi.remote.DepthLimitedProtocol;
import dev.parvis.wmi.remote.InboundFrames;
import dev.parvis.wmi.remote.WireValues;
import dev.parvis.wmi.security.HostCertificate;
import dev.parvis.wmi.thrift.gen.AccessDenied;
import dev.parvis.wmi.thrift.gen.AuthenticationError;
import dev.parvis.wmi.thrift.gen.Busy;
import dev.parvis.wmi.thrift.gen.InvalidArgument;
import dev.parvis.wmi.thrift.gen.ManagementApi;
import dev.parvis.wmi.thrift.gen.NotFound;
import dev.parvis.wmi.thrift.gen.SessionInfo;
import dev.parvis.wmi.thrift.gen.WqlSyntaxError;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.apache.thrift.TConfiguration;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.protocol.TMessage;
import org.apache.thrift.protocol.TProtocolDecorator;
import org.apache.thrift.transport.TIOStreamTransport;
import org.apache.thrift.transport.TTransportException;
import org.apache.thrift.transport.layered.TFramedTransport;

/**
 * The management API over Thrift: one TLS connection (the host certificate pinned, its name
 * checked), logged in as the options' user. Calls on one client are serialized; each event
 * subscription gets a connection of its own so its long polls never hold up other calls. A
 * connection left idle longer than {@link ClientOptions#idleReconnect()} (the server closes idle
 * ones after two minutes) is replaced before the next call, with the session token, so a
 * long-lived client (the shell) needs no care; so is one that failed below the messages (closed,
 * timed out, a bad frame), whose late answer would otherwise be read as the next call's.
 *
 * <p>The server is held to bounds too: an answer frame is at most {@link #MAX_FRAME}, read into a
 * buffer that grows as its bytes arrive, and must arrive whole within the options' timeout of its
 * first byte; the wait for its first byte is the timeout (plus a long poll's own wait).
 */
public final class ThriftManagementClient implements ManagementClient {
    /** Largest answer frame this client reads (a frame's buffer grows with the bytes that arrive, up to it). */
    public static final int MAX_FRAME = 64 << 20;
    /**
     * Deepest nesting of structs and containers read in an answer: a server's answers nest about 25
     * deep at most (four embedded instances); the generated readers recurse once per level, so an
     * answer nested a million deep would otherwise exhaust the calling thread's stack.
     */
    static final int MAX_NESTING = 64;

    private final ClientOptions options;
    private final SessionInfo session;
    private SSLSocket socket;
    private ManagementApi.Client api;
    private long lastUse = System.nanoTime();
    /** The connection failed below the messages (closed, timed out, a bad frame): its stream is at no message's start any more. */
    private boolean broken;

    private ThriftManagementClient(ClientOptions options, SSLSocket socket, ManagementApi.Client api, SessionInfo session) {
        this.options = options;
        this.socket = socket;
        this.api = api;
        this.session = session;
    }

    /** Connects, completes the TLS handshake and logs in. */
    public static ThriftManagementClient connect(ClientOptions options) {
        return connect(options, null);
    }

    /**
     * Connects and authenticates with the session token of an earlier login (no password, no
     * slow hash on the server): for more connections of one client.
     */
    public static ThriftManagementClient resume(ClientOptions options, String token) {
        return connect(options, token);
    }

    private static ThriftManagementClient connect(ClientOptions options, String token) {
        SSLSocket socket = null;
        try {
            socket = (SSLSocket) HostCertificate.clientContext(options.certificate()).getSocketFactory().createSocket();
            int connecting = (int) options.connectTimeout().toMillis();
            socket.connect(new InetSocketAddress(options.host(), options.port()), connecting);
            SSLParameters params = socket.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            params.setProtocols(HostCertificate.protocols());
            socket.setSSLParameters(params);
            socket.setSoTimeout(connecting); // the handshake and the login; each call sets its own
            socket.startHandshake();
            ManagementApi.Client api = api(socket, options.timeout());
            SessionInfo session = token == null ? api.login(options.user(), options.password()) : api.resume(token);
            return new ThriftManagementClient(options, socket, api, session);
        } catch (AuthenticationError e) {
            closeQuietly(socket);
            throw new AuthenticationException(e.getMessage());
        } catch (IOException | TException e) {
            closeQuietly(socket);
            throw new ConnectionException("cannot connect to " + options.host() + ":" + options.port() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The stub over {@code socket}. Answers are read a frame at a time into a buffer that grows as
     * their bytes arrive ({@link InboundFrames}): a server that claims a frame of {@link #MAX_FRAME}
     * and sends a few bytes costs this client a few KiB (libthrift's framed transport allocated each
     * claim whole before any of it came), and a message cannot claim more than its frame holds. An
     * answer must arrive whole within {@code timeout} of its first byte, however the server spaces
     * its bytes (the socket's timeout restarts with each).
     */
    private static ManagementApi.Client api(SSLSocket socket, Duration timeout) throws IOException, TTransportException {
        TConfiguration config = new TConfiguration(MAX_FRAME, MAX_FRAME, TConfiguration.DEFAULT_RECURSION_DEPTH);
        InboundFrames answers = new InboundFrames(config, socket.getInputStream(), MAX_FRAME, "server", timeout);
        TIOStreamTransport requests = new TIOStreamTransport(config, new BufferedOutputStream(socket.getOutputStream()));
        return new ManagementApi.Client(new FramePerAnswer(answers), new TBinaryProtocol(new TFramedTransport(requests, MAX_FRAME), true, true));
    }

    /** Reads each answer from a frame of its own, the frame read whole before its message is decoded, its nesting bounded. */
    private static final class FramePerAnswer extends TProtocolDecorator {
        private final InboundFrames frames;

        FramePerAnswer(InboundFrames frames) {
            super(new DepthLimitedProtocol(new TBinaryProtocol(frames, true, true), MAX_NESTING));
            this.frames = frames;
        }

        @Override
        public TMessage readMessageBegin() throws TException {
            frames.next();
            return super.readMessageBegin();
        }
    }

    private static void closeQuietly(SSLSocket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // Already failing: the original error is the one to report.
            }
        }
    }

    /** One Thrift call. */
    private interface Call<T> {
        T run() throws TException;
    }

    private <T> T call(Call<T> call) {
        return call(call, Duration.ZERO);
    }

    /**
     * Runs {@code call} on a sound connection (a broken or long-idle one is replaced first); {@code
     * serverWait} is how long the server may wait before it answers (a long poll), added to the
     * socket's timeout for this call.
     */
    private synchronized <T> T call(Call<T> call, Duration serverWait) {
        if (broken || System.nanoTime() - lastUse > options.idleReconnect().toNanos()) {
            ThriftManagementClient fresh = connect(options, session.getToken());
            closeQuietly(socket);
            socket = fresh.socket;
            api = fresh.api;
            broken = false;
        }
        try {
            socket.setSoTimeout((int) options.timeout().plus(serverWait).toMillis());
            return call.run();
        } catch (IOException | TTransportException e) {
            broken = true;
            closeQuietly(socket);
            throw new ConnectionException("the connection to the management server failed: " + e.getMessage(), e);
        } catch (TException e) {
            throw fromWire(e);
        } finally {
            lastUse = System.nanoTime();
        }
    }

    static RuntimeException fromWire(TException e) {
        return switch (e) {
            case AuthenticationError a -> new AuthenticationException(a.getMessage());
            case AccessDenied a -> new AccessDeniedException(a.getMessage());
            case WqlSyntaxError w -> new WqlSyntaxException(w.getMessage(), w.getToken(), w.getLine(), w.getColumn());
            case NotFound n -> new NotFoundException(n.getMessage());
            case InvalidArgument i -> new InvalidParameterException(i.getMessage());
            case Busy b -> new BusyException(b.getMessage());
            default -> new ConnectionException("management call failed: " + e, e);
        };
    }

    @Override
    public List<CimInstance> query(String wql) {
        return call(() -> api().query(wql)).stream().map(WireValues::fromWire).toList();
    }

    @Override
    public CimInstance get(ObjectPath path) {
        return WireValues.fromWire(call(() -> api().getInstance(path.toString())));
    }

    @Override
    public MethodResult invoke(ObjectPath target, String method, Map<String, CimValue> in) {
        return WireValues.fromWire(call(() -> api().invokeMethod(target.toString(), method, WireValues.toWire(in))));
    }

    @Override
    public EventSubscription subscribe(String eventWql) {
        ThriftManagementClient own = resume(options, session.getToken());
        String id;
        try {
            id = own.call(() -> own.api().subscribe(eventWql));
        } catch (RuntimeException e) {
            own.close();
            throw e;
        }
        return new EventSubscription() {
            @Override
            public EventBatch poll(int max, Duration timeout) {
                dev.parvis.wmi.thrift.gen.EventBatch b = own.call(() -> own.api().poll(id, max, (int) timeout.toMillis()), timeout);
                List<CimEvent> events = b.getEvents().stream().map(WireValues::fromWire).toList();
                return new EventBatch(events, b.getDropped());
            }

            @Override
            public void close() {
                try {
                    own.call(() -> {
                        own.api().unsubscribe(id);
                        return null;
                    });
                } catch (CimException | ConnectionException e) {
                    // The connection closing ends the subscription on the server anyway.
                } finally {
                    own.close();
                }
            }
        };
    }

    @Override
    public String user() {
        return session.getUser();
    }

    @Override
    public String role() {
        return session.getRole();
    }

    /** This session's token, for {@link #resume} on more connections. */
    public String token() {
        return session.getToken();
    }

    /** The host's name as the server reported it at login. */
    public String hostName() {
        return session.getHostName();
    }

    /** The current connection's stub (it changes when an idle connection is replaced). */
    private synchronized ManagementApi.Client api() {
        return api;
    }

    @Override
    public synchronized void close() {
        closeQuietly(socket);
    }
}
