package dev.parvis.wmi.remote;

import java.time.Duration;

/**
 * The management server's bounds. Frames, strings and containers bound every allocation sized by
 * the wire; connections, connections per address and workers bound what clients together, and one
 * client address alone, can take; the timeouts are deadlines a client's bytes cannot extend, so a
 * client that trickles bytes (a slow handshake, a frame that never completes) loses its connection
 * as surely as one that goes quiet.
 *
 * @param maxConnections         connections served at once; more are closed on accept (and audited)
 * @param connectionsPerAddress  connections one remote address (loopback included) may hold at once;
 *                               more from it are closed on accept (and audited), other addresses are unaffected
 * @param workers                calls executing at once (queries, methods); others wait their turn, in order
 * @param maxFrameBytes          largest request frame read
 * @param maxStringBytes         longest string in a request
 * @param maxContainerElements   largest list or map in a request
 * @param maxNesting             deepest nesting of structs and containers in a request
 * @param subscriptionsPerConnection event subscriptions one connection may hold
 * @param idleTimeout            a connection whose next request has not begun this long after the last answer is closed
 * @param handshakeTimeout       the TLS handshake must finish within this of the accept
 * @param frameTimeout           a request frame must arrive whole within this of its first byte
 * @param loginFailures          failed logins after which the connection is closed
 * @param closeGrace             when the server closes, how long a call being served may take to answer before its connection is cut
 */
public record ServerLimits(int maxConnections, int connectionsPerAddress, int workers, int maxFrameBytes, int maxStringBytes,
                           int maxContainerElements, int maxNesting, int subscriptionsPerConnection, Duration idleTimeout,
                           Duration handshakeTimeout, Duration frameTimeout, int loginFailures, Duration closeGrace) {

    public ServerLimits {
        if (maxConnections < 1 || connectionsPerAddress < 1 || workers < 1) {
            throw new IllegalArgumentException("connections %d, per address %d, workers %d: each must be at least 1"
                    .formatted(maxConnections, connectionsPerAddress, workers));
        }
        for (Duration d : new Duration[] {idleTimeout, handshakeTimeout, frameTimeout, closeGrace}) {
            if (!d.isPositive()) {
                throw new IllegalArgumentException("a timeout of " + d + ": timeouts must be positive");
            }
        }
    }

    /**
     * 512 connections, 64 of them from one address: a client, or one address's clients, can take
     * an eighth of the server, so eight hostile addresses are needed to fill it.
     */
    public static ServerLimits defaults() {
        int workers = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
        return new ServerLimits(512, 64, workers, 256 * 1024, 64 * 1024, 10_000, 24, 16, Duration.ofMinutes(2), Duration.ofSeconds(10),
                Duration.ofSeconds(30), 3, Duration.ofSeconds(5));
    }

    /** These limits with other connection bounds. */
    public ServerLimits withConnections(int max, int perAddress) {
        return new ServerLimits(max, perAddress, workers, maxFrameBytes, maxStringBytes, maxContainerElements, maxNesting,
                subscriptionsPerConnection, idleTimeout, handshakeTimeout, frameTimeout, loginFailures, closeGrace);
    }

    /** These limits with other deadlines. */
    public ServerLimits withTimeouts(Duration idle, Duration handshake, Duration frame) {
        return new ServerLimits(maxConnections, connectionsPerAddress, workers, maxFrameBytes, maxStringBytes, maxContainerElements,
                maxNesting, subscriptionsPerConnection, idle, handshake, frame, loginFailures, closeGrace);
    }

    /** These limits with another longest string. */
    public ServerLimits withMaxStringBytes(int bytes) {
        return new ServerLimits(maxConnections, connectionsPerAddress, workers, maxFrameBytes, bytes, maxContainerElements, maxNesting,
                subscriptionsPerConnection, idleTimeout, handshakeTimeout, frameTimeout, loginFailures, closeGrace);
    }

    /** These limits with another grace for the calls being served when the server closes. */
    public ServerLimits withCloseGrace(Duration grace) {
        return new ServerLimits(maxConnections, connectionsPerAddress, workers, maxFrameBytes, maxStringBytes, maxContainerElements,
                maxNesting, subscriptionsPerConnection, idleTimeout, handshakeTimeout, frameTimeout, loginFailures, grace);
    }
}
