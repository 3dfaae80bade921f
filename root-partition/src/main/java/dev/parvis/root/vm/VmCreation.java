package dev.parvis.root.vm;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The durable write of a new VM's configuration as the VM's first start sees it, when New-VM and
 * Start-VM come as one request ({@link VmManagementService#createAndStart}): the worker builds the
 * partition while the caller's thread writes and fsyncs the configuration, and waits here before
 * anything of the start becomes visible or permanent. Until the configuration is durable no guest
 * instruction runs (the partition is not finalized), no state change is published and no host
 * state marker is written into the VM's directory; a creation that fails takes the half-built
 * partition down with it, and the VM never existed.
 */
final class VmCreation {
    /** An ordinary start: the VM's configuration was durable before the start was requested. */
    static final VmCreation NONE = new VmCreation(CompletableFuture.completedFuture(null));

    private final CompletableFuture<Void> durable;

    private VmCreation(CompletableFuture<Void> durable) {
        this.durable = durable;
    }

    /** A creation still being written. */
    static VmCreation pending() {
        return new VmCreation(new CompletableFuture<>());
    }

    boolean isNone() {
        return this == NONE;
    }

    /** The configuration is on disk: the start may let the guest run and announce itself. */
    void durable() {
        durable.complete(null);
    }

    /**
     * The start is abandoned before the guest runs: the configuration could not be written (the VM
     * does not exist), or the service closed while it was being written.
     */
    void failed(Throwable cause) {
        durable.completeExceptionally(cause);
    }

    /**
     * Waits until the configuration is durable.
     *
     * @throws VmException naming why the start was abandoned
     */
    void await() {
        try {
            durable.join();
        } catch (CompletionException | CancellationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new VmException("the new VM's start was abandoned: " + cause.getMessage(), cause);
        }
    }

    /** Waits for the creation's outcome: whether the start may go on (the VM exists and the service is open). */
    boolean awaitQuietly() {
        try {
            await();
            return true;
        } catch (VmException e) {
            return false;
        }
    }
}
