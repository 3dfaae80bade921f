package dev.parvis.wmi.remote;

import java.time.Duration;

/**
 * The management server's bounds. Frames, strings and containers bound every allocation sized by
 * the wire; connections and workers bound what clients together can take; idle and handshake
 * timeouts free a connection whose client went quiet.
 *
 * @param maxConnections         connections served at once; more are closed on accept (and audited)
 * @param workers                calls executing at once (queries, methods); others wait their turn, in order
 * @param maxFrameBytes          largest request frame read
 * @param maxStringBytes         longest string in a request
 * @param maxContainerElements   largest list or map in a request
 * @param maxNesting             deepest nesting of structs and containers in a request
 * @param subscriptionsPerConnection event subscriptions one connection may hold
 * @param idleTimeout            a connection with no request for this long is closed
 * @param handshakeTimeout       the TLS handshake must finish within this
 * @param loginFailures          failed logins after which the connection is closed
 */
public record ServerLimits(int maxConnections, int workers, int maxFrameBytes, int maxStringBytes, int maxContainerElements,
                           int maxNesting, int subscriptionsPerConnection, Duration idleTimeout, Duration handshakeTimeout,
                           int loginFailures) {

    public static ServerLimits defaults() {
        int workers = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
        return new ServerLimits(512, workers, 256 * 1024, 64 * 1024, 10_000, 24, 16, Duration.ofMinutes(2), Duration.ofSeconds(10), 3);
    }
}
