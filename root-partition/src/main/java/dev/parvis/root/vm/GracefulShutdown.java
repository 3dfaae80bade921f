package dev.parvis.root.vm;

import dev.parvis.devices.ic.IcResult;
import dev.parvis.devices.ic.IcStatus;
import dev.parvis.devices.ic.IntegrationServices;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stop-VM's graceful path: whether the guest can be asked to shut down (the shutdown integration
 * service, enabled and healthy, on a running VM), and asking it and waiting for its power-off.
 */
final class GracefulShutdown {
    private static final Logger LOG = LoggerFactory.getLogger(GracefulShutdown.class);

    /** How long a graceful Stop-VM waits for the guest to power off after it accepted the request. */
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private GracefulShutdown() {
    }

    /** Why the guest cannot be asked to shut down (so the VM is turned off), or empty when it can. */
    static Optional<String> refusal(IntegrationServices services, VmState state) {
        if (services == null || !services.shutdown().isEnabled()) {
            return Optional.of("the VM has no shutdown integration service: it was turned off");
        }
        if (!(state instanceof VmState.Running)) {
            return Optional.of("the graceful shutdown failed: a paused guest cannot answer the shutdown request: the VM was turned off");
        }
        if (!(services.shutdown().status() instanceof IcStatus.Ok)) {
            return Optional.of("the graceful shutdown failed: the shutdown integration service is %s: the VM was turned off"
                    .formatted(describe(services.shutdown().status())));
        }
        return Optional.empty();
    }

    private static String describe(IcStatus status) {
        return status instanceof IcStatus.Degraded d ? "Degraded (" + d.reason() + ")" : status.getClass().getSimpleName();
    }

    /**
     * Asks the guest to shut down and waits for {@code poweredOff}; empty when it powered off, else
     * why not.
     */
    static Optional<String> request(IntegrationServices services, CompletableFuture<Void> poweredOff, String vmName) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        boolean accepted = false;
        try {
            IcResult answer = services.shutdown().requestShutdown(false, "Stop-VM").get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (!answer.succeeded()) {
                return Optional.of("the guest refused the shutdown request (" + answer + ")");
            }
            accepted = true;
            poweredOff.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            LOG.info("VM '{}': the guest shut down on request", vmName);
            return Optional.empty();
        } catch (TimeoutException e) {
            return Optional.of(accepted ? "the guest accepted but did not power off within " + TIMEOUT.toSeconds() + " s"
                    : "the guest did not answer the shutdown request");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return Optional.of("the shutdown request failed (" + cause.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while waiting for the guest");
        }
    }
}
