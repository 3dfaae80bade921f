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
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.transport.TSocket;
import org.apache.thrift.transport.layered.TFramedTransport;

/**
 * The management API over Thrift: one TLS connection (the host certificate pinned, its name
 * checked), logged in as the options' user. Calls on one client are serialized; each event
 * subscription gets a connection of its own so its long polls never hold up other calls. A
 * connection left idle longer than {@link ClientOptions#idleReconnect()} (the server closes idle
 * ones after two minutes) is replaced before the next call, with the session token, so a
 * long-lived client (the shell) needs no care.
 */
public final class ThriftManagementClient implements ManagementClient {
    /** Largest answer frame this client reads. */
    public static final int MAX_FRAME = 64 << 20;

    private final ClientOptions options;
    private final SessionInfo session;
    private SSLSocket socket;
    private ManagementApi.Client api;
    private long lastUse = System.nanoTime();

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
            socket.connect(new InetSocketAddress(options.host(), options.port()), (int) options.timeout().toMillis());
            SSLParameters params = socket.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            params.setProtocols(HostCertificate.protocols());
            socket.setSSLParameters(params);
            socket.setSoTimeout((int) options.timeout().toMillis());
            socket.startHandshake();
            TSocket transport = new TSocket(socket);
            transport.getConfiguration().setMaxMessageSize(MAX_FRAME);
            ManagementApi.Client api = new ManagementApi.Client(new TBinaryProtocol(new TFramedTransport(transport, MAX_FRAME), true, true));
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

    private synchronized <T> T call(Call<T> call) {
        if (System.nanoTime() - lastUse > options.idleReconnect().toNanos()) {
            ThriftManagementClient fresh = connect(options, session.getToken());
            closeQuietly(socket);
            socket = fresh.socket;
            api = fresh.api;
        }
        try {
            return call.run();
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
                dev.parvis.wmi.thrift.gen.EventBatch b = own.call(() -> own.api().poll(id, max, (int) timeout.toMillis()));
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
