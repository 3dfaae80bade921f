package dev.parvis.vmbus.client;

import java.lang.foreign.MemorySegment;

/**
 * How a {@link VmbusClient} reaches the host: the guest's HvCallPostMessage and HvCallSignalEvent,
 * and its SINT2 message slot and event flags. The loopback implements it in process; a guest-side
 * implementation would post on the hypervisor.
 */
public interface ClientTransport {

    /**
     * Posts {@code length} bytes of {@code message} (a channel message, at most 240 bytes) to the
     * host on message connection {@code connectionId} (4 for INITIATE_CONTACT at 5.0+, else 1 or
     * the VERSION_RESPONSE's msg_conn_id). The transport copies the bytes before returning.
     */
    void postMessage(int connectionId, MemorySegment message, int length);

    /** Signals the host for a channel: HvCallSignalEvent on the offer's {@code connectionId}. */
    void signalHost(int connectionId);

    /**
     * Starts delivering host-to-guest traffic to {@code receiver}: control messages in order, on one
     * thread; channel signals on any thread.
     */
    void attach(Receiver receiver);

    /** The guest's side of delivery. */
    interface Receiver {
        /** A control message from the host; {@code message} is valid only during the call. */
        void onMessage(MemorySegment message, int length);

        /** The host set event flag {@code relid}. */
        void onChannelSignal(int relid);
    }
}
