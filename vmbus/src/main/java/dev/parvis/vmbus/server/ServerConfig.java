package dev.parvis.vmbus.server;

import java.time.Duration;

/**
 * Limits of one VMBus server connection.
 *
 * @param vpCount           VPs of the child; target_vcpu and target_vp must name one
 * @param maxGpadls         GPADLs (created or being assembled) one connection may hold
 * @param maxPendingGpadls  GPADLs being assembled (header seen, bodies missing) at once
 * @param sendTimeout       how long a device's send waits for ring space before reporting RING_FULL
 * @param logBurst          guest-error log lines allowed in a burst before rate limiting
 * @param logPerSecond      guest-error log lines allowed per second after the burst
 */
public record ServerConfig(int vpCount, int maxGpadls, int maxPendingGpadls, Duration sendTimeout, int logBurst,
                           int logPerSecond) {
    public ServerConfig {
        if (vpCount < 1 || maxGpadls < 1 || maxPendingGpadls < 1 || logBurst < 1 || logPerSecond < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
        if (sendTimeout.isNegative()) {
            throw new IllegalArgumentException("negative send timeout");
        }
    }

    public static ServerConfig defaults(int vpCount) {
        return new ServerConfig(vpCount, 256, 16, Duration.ofSeconds(5), 100, 10);
    }

    public ServerConfig withSendTimeout(Duration timeout) {
        return new ServerConfig(vpCount, maxGpadls, maxPendingGpadls, timeout, logBurst, logPerSecond);
    }
}
