package dev.parvis.wmi.remote;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections a server is serving now, each on a virtual thread of its own, so that closing the
 * server ends them all at once instead of leaving each to its own deadline (a quiet one would hold
 * its slot until the idle timeout, an active one until its next request).
 *
 * <p>Closing stops every connection reading: the input side of its TCP socket is shut, which ends a
 * read blocked in the handshake, in the wait for a request or inside a frame with the end of the
 * stream, while the output side stays open. A request already read is served, its answer written,
 * and the connection then ends as its thread always does (the TLS close_notify, under the answer
 * deadline). Long polls are woken to answer with what they have. What has not ended within the
 * grace period is cut: its TCP socket closed (a blocked write or close_notify ends at once) and its
 * thread interrupted (a call waiting in the model ends).
 */
final class OpenConnections {
    private static final Logger LOG = LoggerFactory.getLogger(OpenConnections.class);
    /** After the grace period: how long the cut connections' threads get to finish. */
    private static final Duration CUT_WAIT = Duration.ofSeconds(5);

    /** One served connection: its TCP socket, its thread, and what wakes its waits when the server closes. */
    static final class Connection {
        private final Socket tcp;
        private Thread thread;
        private volatile Runnable onClosing = () -> { };

        private Connection(Socket tcp) {
            this.tcp = tcp;
        }

        Socket tcp() {
            return tcp;
        }

        /** {@code wake} ends the connection's waits that no read stands in (a long poll) when the server closes. */
        void whenClosing(Runnable wake) {
            onClosing = wake;
        }
    }

    private final Set<Connection> open = ConcurrentHashMap.newKeySet();

    /** Serves {@code tcp} on a virtual thread named {@code name}: {@code work}, then {@code release}; closing waits for both. */
    void start(Socket tcp, String name, Consumer<Connection> work, Runnable release) {
        Connection c = new Connection(tcp);
        c.thread = Thread.ofVirtual().name(name).unstarted(() -> {
            try {
                work.accept(c);
            } finally {
                try {
                    release.run();
                } finally {
                    open.remove(c);
                }
            }
        });
        open.add(c);
        c.thread.start();
    }

    /** Connections whose thread has not yet finished. */
    int size() {
        return open.size();
    }

    /**
     * Ends every connection (none may be started any more): each stops reading at once, and a call
     * being served gets {@code grace} to answer. Returns once every connection's thread has ended,
     * or, for a thread that ignores the cut, {@link #CUT_WAIT} after the grace (logged).
     */
    void close(Duration grace) throws InterruptedException {
        List<Connection> all = List.copyOf(open);
        for (Connection c : all) {
            c.onClosing.run();
            shutdownInput(c.tcp);
        }
        List<Connection> late = awaitEnd(all, System.nanoTime() + grace.toNanos());
        for (Connection c : late) {
            ManagementServer.closeQuietly(c.tcp);
            c.thread.interrupt();
        }
        List<Connection> stuck = awaitEnd(late, System.nanoTime() + CUT_WAIT.toNanos());
        if (!late.isEmpty()) {
            LOG.warn("management server closing: {} of {} connections did not end within {} ms and were cut; {} still running",
                    late.size(), all.size(), grace.toMillis(), stuck.size());
        }
    }

    /** Waits until {@code dueNanos} for the connections' threads; returns those still running. */
    private static List<Connection> awaitEnd(List<Connection> connections, long dueNanos) throws InterruptedException {
        for (Connection c : connections) {
            long left = dueNanos - System.nanoTime();
            if (left > 0) {
                c.thread.join(Duration.ofNanos(left));
            }
        }
        return connections.stream().filter(c -> c.thread.isAlive()).toList();
    }

    private static void shutdownInput(Socket tcp) {
        try {
            tcp.shutdownInput();
        } catch (IOException e) {
            // Already closed (its thread is ending) or never connected: nothing to stop.
        }
    }
}
