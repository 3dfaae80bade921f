package dev.parvis.vmbus.server;

import dev.parvis.abi.vmbus.VmbusVersion;

/** The lifecycle of the one guest connection a server serves (hyperv-abi-vmbus.md section 6.5). */
sealed interface ConnectionState {

    /** No INITIATE_CONTACT accepted yet, or the guest unloaded. */
    record Disconnected() implements ConnectionState {
    }

    /**
     * The connection broke the server's bounds (it flooded control messages while ignoring the
     * answers, or serving it failed on the host); every channel was closed and every GPADL
     * released. Messages are dropped until the host closes the server.
     */
    record Failed(String reason) implements ConnectionState {
    }

    /**
     * A version was agreed; control messages go to {@code target}.
     *
     * @param offersSent whether REQUEST_OFFERS was answered (a second one is refused)
     */
    record Connected(VmbusVersion version, GuestTarget target, boolean offersSent) implements ConnectionState {
        Connected withOffersSent() {
            return new Connected(version, target, true);
        }
    }
}
