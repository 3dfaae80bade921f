package dev.parvis.wmi.remote;

import dev.parvis.vmcore.log.LogBudget;
import dev.parvis.wmi.model.ManagementModel;
import dev.parvis.wmi.security.AuditLog;
import dev.parvis.wmi.security.HostCertificate;
import dev.parvis.wmi.security.SessionTokens;
import dev.parvis.wmi.security.UserStore;
import dev.parvis.wmi.thrift.gen.ManagementApi;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.apache.thrift.TConfiguration;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.protocol.TProtocol;
import org.apache.thrift.transport.TIOStreamTransport;
import org.apache.thrift.transport.TTransportException;
import org.apache.thrift.transport.layered.TFramedTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The management API over Thrift: TLS (the host certificate; a plain-text client fails the
 * handshake and is audited), framed binary protocol with the {@link ServerLimits}, one virtual
 * thread per connection with its own {@link Session}, a bounded number of connections (and of
 * connections per remote address), deadlines no client's bytes can extend ({@link
 * ConnectionDeadline}), and a fair pool of worker permits for the calls themselves, so many clients
 * share the host in turn and a new client is served promptly.
 */
public final class ManagementServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ManagementServer.class);
    private static final LogBudget CONNECTION_LOG = LogBudget.standard();
    /** A client can cause one refusal per connection attempt. */
    private static final LogBudget REFUSAL_LOG = LogBudget.standard();
    private static final String CLOSING = "the management server is closing";
    private static final Duration ACCEPTOR_WAIT = Duration.ofSeconds(5);

    private final ManagementModel model;
    private final UserStore users;
    private final SessionTokens tokens = new SessionTokens();
    private final AuditLog audit;
    private final ServerLimits limits;
    private final ServerSocket server;
    private final SSLSocketFactory tls;
    private final Semaphore connections;
    private final AddressSlots addresses;
    private final ScheduledThreadPoolExecutor deadlines;
    private final Semaphore workers;
    private final Thread acceptor;
    private final OpenConnections open = new OpenConnections();
    private final AtomicLong served = new AtomicLong();
    private volatile boolean closed;

    private ManagementServer(ManagementModel model, UserStore users, HostCertificate certificate, AuditLog audit, InetSocketAddress listen,
                             ServerLimits limits) throws IOException {
        this.model = model;
        this.users = users;
        this.audit = audit;
        this.limits = limits;
        this.connections = new Semaphore(limits.maxConnections());
        this.addresses = new AddressSlots(limits.connectionsPerAddress());
        this.workers = new Semaphore(limits.workers(), true);
        this.tls = certificate.serverContext().getSocketFactory();
        this.deadlines = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().name("parvis-api-deadlines").daemon(true).factory());
        deadlines.setRemoveOnCancelPolicy(true);
        // TCP is accepted plain and TLS layered on it, so that a missed deadline can close the TCP
        // socket from the timer's thread: that ends a blocked read at once and writes nothing.
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(listen, 512);
        this.acceptor = Thread.ofPlatform().name("parvis-api-accept").daemon(true).unstarted(this::acceptLoop);
    }

    /** Binds {@code listen} (port 0 picks one) and starts accepting. */
    public static ManagementServer start(ManagementModel model, UserStore users, HostCertificate certificate, AuditLog audit,
                                         InetSocketAddress listen, ServerLimits limits) {
        try {
            ManagementServer s = new ManagementServer(model, users, certificate, audit, listen, limits);
            s.acceptor.start();
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + listen + ": " + e.getMessage(), e);
        }
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /** Connections accepted since start. */
    public long connectionsServed() {
        return served.get();
    }

    /** Connections being served now (from accept until their thread has closed the socket and ended the session). */
    public int openConnections() {
        return limits.maxConnections() - connections.availablePermits();
    }

    /** Connection threads not yet finished (their work, then their slots given back). */
    public int connectionThreads() {
        return open.size();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    CONNECTION_LOG.warn(LOG, "management server: accept failed: {}", e.toString());
                }
                continue;
            }
            InetSocketAddress from = (InetSocketAddress) socket.getRemoteSocketAddress();
            String remote = from.toString();
            if (closed) {
                closeQuietly(socket); // accepted as the server closed: close() no longer looks for new connections
            } else if (admitted(socket, from.getAddress(), remote)) {
                served.incrementAndGet();
                open.start(socket, "parvis-api-conn-" + remote, c -> serve(c, remote), () -> {
                    addresses.release(from.getAddress());
                    connections.release();
                });
            }
        }
    }

    /**
     * Takes a slot for the connection from {@code address} and one of the server's, or closes it:
     * an address is held to its share first, so one that is over it takes nothing from the others.
     */
    private boolean admitted(Socket socket, InetAddress address, String remote) {
        if (!addresses.tryTake(address)) {
            String why = addresses.perAddress() + " connections from " + address.getHostAddress() + " already open";
            REFUSAL_LOG.warn(LOG, "management server: refused a connection from {}: {}", remote, why);
            audit.record("-", remote, "connect", "refused: " + why);
            closeQuietly(socket);
            return false;
        }
        if (!connections.tryAcquire()) {
            addresses.release(address);
            audit.record("-", remote, "connect", "refused: " + limits.maxConnections() + " connections already open");
            closeQuietly(socket);
            return false;
        }
        return true;
    }

    /**
     * Serves one connection under its deadlines: the handshake's from the accept, then, in turn,
     * the idle one until a request's first byte, the frame's until its last; none while the server
     * runs the call and answers. A missed deadline closes the TCP socket under the TLS one.
     */
    private void serve(OpenConnections.Connection connection, String remote) {
        Socket tcp = connection.tcp();
        try (ConnectionDeadline deadline = new ConnectionDeadline(deadlines, () -> closeQuietly(tcp))) {
            SSLSocket socket = handshake(tcp, remote, deadline);
            if (socket != null) {
                serve(socket, remote, deadline, connection);
            }
        } finally {
            closeQuietly(tcp);
        }
    }

    /** The TLS side of {@code tcp} once its handshake is done within the limit; null (audited) if it failed or took too long. */
    private SSLSocket handshake(Socket tcp, String remote, ConnectionDeadline deadline) {
        deadline.arm(limits.handshakeTimeout(), "the TLS handshake did not finish within " + limits.handshakeTimeout().toMillis() + " ms");
        try {
            SSLSocket socket = (SSLSocket) tls.createSocket(tcp, null, true);
            socket.setEnabledProtocols(HostCertificate.protocols());
            socket.startHandshake();
            // A backstop only: the deadlines end slow clients; this ends a quiet one should the server's timer have stopped.
            socket.setSoTimeout((int) limits.idleTimeout().toMillis());
            return socket;
        } catch (IOException e) {
            String why = closed ? CLOSING : deadline.breach().orElse("TLS handshake failed (" + e.getMessage() + ")");
            audit.record("-", remote, "connect", "refused: " + why);
            return null;
        }
    }

    private void serve(SSLSocket socket, String remote, ConnectionDeadline deadline, OpenConnections.Connection connection) {
        Session session = new Session(remote);
        connection.whenClosing(session::close); // a long poll answers at once with what it has
        ConnectionHandler handler = new ConnectionHandler(model, users, tokens, audit, session, workers, limits);
        String idle = "no request began within " + limits.idleTimeout().toMillis() + " ms of the last answer";
        String slow = "a request frame did not arrive whole within " + limits.frameTimeout().toMillis() + " ms of its first byte";
        try {
            Wire wire = wire(socket, deadline, () -> deadline.arm(limits.frameTimeout(), slow));
            CallProcessor<ConnectionHandler> processor = new CallProcessor<>(handler, new ManagementApi.Processor<>(handler).getProcessMapView(),
                    session, audit);
            while (!closed && !session.closeRequested()) {
                // A frame holds one message: what a message leaves unread (the rest of a frame whose
                // message got a protocol error) goes with its frame, never read as the next message.
                deadline.arm(limits.idleTimeout(), idle);
                wire.frames().next();
                deadline.disarm();
                processor.process(wire.in(), wire.out());
            }
        } catch (TException | RuntimeException | StackOverflowError e) {
            closedOn(e, session, remote, deadline);
        } finally {
            if (closed) {
                audit.record(session.user(), remote, "connection", "closed: " + CLOSING);
            }
            handler.close();
            // The TLS close_notify is a write too: a client that does not read could hold it forever.
            deadline.arm(limits.frameTimeout(), "the TLS close was not taken within " + limits.frameTimeout().toMillis() + " ms");
            closeQuietly(socket);
        }
    }

    /** Audits why a connection ended, unless its client simply closed it between requests. */
    private void closedOn(Throwable e, Session session, String remote, ConnectionDeadline deadline) {
        Optional<String> breach = deadline.breach();
        if (closed) {
            return; // the server ended it (audited so)
        } else if (breach.isPresent()) {
            audit.record(session.user(), remote, "connection", "closed: " + breach.get());
        } else if (e instanceof TTransportException t) {
            if (t.getType() != TTransportException.END_OF_FILE) {
                audit.record(session.user(), remote, "connection", "closed: " + t.getMessage());
            }
        } else {
            CONNECTION_LOG.info(LOG, "management connection {} closed on bad input: {}", remote, e.toString());
            audit.record(session.user(), remote, "connection", "closed: malformed request (" + e + ")");
        }
    }

    /** A connection's requests, read a frame at a time, and the protocols that read them and write the answers. */
    private record Wire(InboundFrames frames, TProtocol in, TProtocol out) {
    }

    /**
     * Both sides carry the server's configuration: libthrift 0.17 takes the message-size budget from
     * a transport's configuration when it is built (a budget set on a built TSocket left each
     * connection's first message the library's default of 100 MB). On the request side the frame
     * itself bounds what a claimed string or container may ask for ({@link InboundFrames}).
     */
    private Wire wire(SSLSocket socket, ConnectionDeadline deadline, Runnable frameStarted) throws TTransportException {
        TConfiguration config = new TConfiguration(limits.maxFrameBytes(), limits.maxFrameBytes(), TConfiguration.DEFAULT_RECURSION_DEPTH);
        InboundFrames frames;
        TIOStreamTransport answers;
        try {
            socket.setTcpNoDelay(true);
            frames = new InboundFrames(config, socket.getInputStream(), limits.maxFrameBytes(), "client", frameStarted);
            answers = new TIOStreamTransport(config, new BufferedOutputStream(
                    new AnswerDeadline(socket.getOutputStream(), deadline, limits.frameTimeout())));
        } catch (IOException e) {
            throw new TTransportException(TTransportException.NOT_OPEN, e);
        }
        TProtocol in = new DepthLimitedProtocol(new TBinaryProtocol(frames, limits.maxStringBytes(), limits.maxContainerElements(), true, true),
                limits.maxNesting());
        TProtocol out = new TBinaryProtocol(new TFramedTransport(answers, limits.maxFrameBytes()), true, true);
        return new Wire(frames, in, out);
    }

    static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // Closing a dead connection: nothing left to do.
        }
    }

    /**
     * Stops accepting and ends every open connection ({@link OpenConnections#close}): a call being
     * served may answer within {@link ServerLimits#closeGrace()}. Returns once the connections'
     * threads have ended (a thread that ignores its cut is waited for a few seconds more, then left).
     */
    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            LOG.debug("closing the management server socket: {}", e.toString());
        }
        acceptor.interrupt();
        try {
            acceptor.join(ACCEPTOR_WAIT); // a connection it is admitting now is then among the open ones
            open.close(limits.closeGrace());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("management server: interrupted while closing its {} open connections", open.size());
        } finally {
            // Last: connections ending now still arm their deadlines (their TLS close is under one).
            deadlines.shutdownNow();
        }
    }
}
