package dev.parvis.vmbus.server;

/**
 * {@link VmbusServer#snapshot} found the connection between steady states (a GPADL half-assembled
 * or being torn down, a channel closing); the message says which. Retry once it settles.
 */
public final class SnapshotRefusedException extends IllegalStateException {
    public SnapshotRefusedException(String reason) {
        super("VMBus state cannot be saved now: " + reason);
    }
}
