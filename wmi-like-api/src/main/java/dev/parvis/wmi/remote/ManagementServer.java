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
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
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
 * thread per connection with its own {@link Session}, a bounded number of connections, and a fair
 * pool of worker permits for the calls themselves, so many clients share the host in turn and a
 * new client is served promptly.
 */
public final class ManagementServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ManagementServer.class);
    private static final LogBudget CONNECTION_LOG = LogBudget.standard();

    private final ManagementModel model;
    private final UserStore users;
    private final SessionTokens tokens = new SessionTokens();
    private final AuditLog audit;
    private final ServerLimits limits;
    private final SSLServerSocket server;
    private final Semaphore connections;
    private final Semaphore workers;
    private final Thread acceptor;
    private final AtomicLong served = new AtomicLong();
    private volatile boolean closed;

    private ManagementServer(ManagementModel model, UserStore users, HostCertificate certificate, AuditLog audit, InetSocketAddress listen,
                             ServerLimits limits) throws IOException {
        this.model = model;
        this.users = users;
        this.audit = audit;
        this.limits = limits;
        this.connections = new Semaphore(limits.maxConnections());
        this.workers = new Semaphore(limits.workers(), true);
        this.server = (SSLServerSocket) certificate.serverContext().getServerSocketFactory().createServerSocket();
        server.setEnabledProtocols(HostCertificate.protocols());
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
            String remote = socket.getRemoteSocketAddress().toString();
            if (!connections.tryAcquire()) {
                audit.record("-", remote, "connect", "refused: " + limits.maxConnections() + " connections already open");
                closeQuietly(socket);
                continue;
            }
            served.incrementAndGet();
            Thread.ofVirtual().name("parvis-api-conn-" + remote).start(() -> {
                try {
                    serve((SSLSocket) socket, remote);
                } finally {
                    connections.release();
                }
            });
        }
    }

    private void serve(SSLSocket socket, String remote) {
        try {
            socket.setSoTimeout((int) limits.handshakeTimeout().toMillis());
            socket.startHandshake();
            socket.setSoTimeout((int) limits.idleTimeout().toMillis());
        } catch (IOException e) {
            audit.record("-", remote, "connect", "refused: TLS handshake failed (" + e.getMessage() + ")");
            closeQuietly(socket);
            return;
        }
        Session session = new Session(remote);
        ConnectionHandler handler = new ConnectionHandler(model, users, tokens, audit, session, workers, limits);
        try {
            Wire wire = wire(socket);
            CallProcessor<ConnectionHandler> processor = new CallProcessor<>(handler, new ManagementApi.Processor<>(handler).getProcessMapView(),
                    session, audit);
            while (!closed && !session.closeRequested()) {
                // A frame holds one message: what a message leaves unread (the rest of a frame whose
                // message got a protocol error) goes with its frame, never read as the next message.
                wire.frames().next();
                processor.process(wire.in(), wire.out());
            }
        } catch (TTransportException e) {
            if (e.getType() != TTransportException.END_OF_FILE) {
                audit.record(session.user(), remote, "connection", "closed: " + e.getMessage());
            }
        } catch (TException | RuntimeException | StackOverflowError e) {
            CONNECTION_LOG.info(LOG, "management connection {} closed on bad input: {}", remote, e.toString());
            audit.record(session.user(), remote, "connection", "closed: malformed request (" + e + ")");
        } finally {
            handler.close();
            closeQuietly(socket);
        }
    }

    /** A connection's requests, read a frame at a time, and the protocols that read them and write the answers. */
    private record Wire(RequestFrames frames, TProtocol in, TProtocol out) {
    }

    /**
     * Both sides carry the server's configuration: libthrift 0.17 takes the message-size budget from
     * a transport's configuration when it is built (a budget set on a built TSocket left each
     * connection's first message the library's default of 100 MB). On the request side the frame
     * itself bounds what a claimed string or container may ask for ({@link RequestFrames}).
     */
    private Wire wire(SSLSocket socket) throws TTransportException {
        TConfiguration config = new TConfiguration(limits.maxFrameBytes(), limits.maxFrameBytes(), TConfiguration.DEFAULT_RECURSION_DEPTH);
        RequestFrames frames;
        TIOStreamTransport answers;
        try {
            socket.setTcpNoDelay(true);
            frames = new RequestFrames(config, socket.getInputStream(), limits.maxFrameBytes());
            answers = new TIOStreamTransport(config, new BufferedOutputStream(socket.getOutputStream()));
        } catch (IOException e) {
            throw new TTransportException(TTransportException.NOT_OPEN, e);
        }
        TProtocol in = new DepthLimitedProtocol(new TBinaryProtocol(frames, limits.maxStringBytes(), limits.maxContainerElements(), true, true),
                limits.maxNesting());
        TProtocol out = new TBinaryProtocol(new TFramedTransport(answers, limits.maxFrameBytes()), true, true);
        return new Wire(frames, in, out);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // Closing a dead connection: nothing left to do.
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            LOG.debug("closing the management server socket: {}", e.toString());
        }
        acceptor.interrupt();
    }
}
