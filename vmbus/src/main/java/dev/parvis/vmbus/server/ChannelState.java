package dev.parvis.vmbus.server;

/**
 * The lifecycle of one offered channel (relid) on a connection (hyperv-abi-vmbus.md sections 6.5,
 * 6.6), in the style of OpenVMM's server: every step that needs the host (building the rings,
 * the device's open, the data path's stop) is a request that completes later, and the state
 * between request and completion is explicit, so a snapshot can be taken at any instant.
 */
sealed interface ChannelState {

    /** The receive-buffer bytes this state holds against the child's budget. */
    default long receiveBytes() {
        return 0;
    }

    /** Offered to the guest, not open. */
    record Offered() implements ChannelState {
    }

    /**
     * OPEN_CHANNEL accepted; the open request {@code epoch} (rings, device open) is running off the
     * control path. {@code cancelled} is the reason the connection no longer wants it (unload,
     * rescind, the guest's close), or null; the completion then closes what it built.
     */
    record Opening(VmbusServerState.Open request, long epoch, String cancelled) implements ChannelState {
        @Override
        public long receiveBytes() {
            return request.receiveBytes();
        }
    }

    /** Open: {@code channel} runs the data path. */
    record Open(VmbusServerState.Open request, ServerChannel channel) implements ChannelState {
        @Override
        public long receiveBytes() {
            return request.receiveBytes();
        }
    }

    /**
     * The data path was asked to stop (the guest's CLOSE_CHANNEL, a rescind, a broken ring) and has
     * not stopped yet; {@code channel} is null after a restore (nothing runs). {@code reopen} is an
     * OPEN_CHANNEL that arrived meanwhile, started once the close completes (null when none).
     */
    record Closing(VmbusServerState.Open request, ServerChannel channel, VmbusServerState.Open reopen) implements ChannelState {
        @Override
        public long receiveBytes() {
            return request.receiveBytes();
        }
    }
}
