package dev.parvis.vmbus.server;

/** The lifecycle of one offered channel (relid) on a connection (hyperv-abi-vmbus.md sections 6.5, 6.6). */
sealed interface ChannelState {

    /** Offered to the guest, not open. */
    record Offered() implements ChannelState {
    }

    /** Open on the ring GPADL {@code gpadl}; {@code channel} runs the data path. */
    record Open(int openId, int gpadl, int downstreamPageOffset, int targetVp, byte[] userData, ServerChannel channel)
            implements ChannelState {
        Open withTargetVp(int vp) {
            return new Open(openId, gpadl, downstreamPageOffset, vp, userData, channel);
        }
    }

    /** RESCIND_CHANNEL_OFFER sent; the relid stays taken until the guest sends RELID_RELEASED. */
    record Rescinded() implements ChannelState {
    }
}
