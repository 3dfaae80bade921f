package dev.parvis.vmbus.server;

import dev.parvis.abi.vmbus.ChannelMessage;

import java.util.ArrayDeque;
import java.util.List;

/**
 * The server's backpressure for one child, as OpenVMM's server does it: messages for the guest that
 * its SynIC queue refused wait here in order, and while any wait, the guest's own control messages
 * are held back unprocessed (their answers could not be delivered either). Both queues are bounded by
 * the server's {@link ServerConfig.Limits}; the server decides what overflow means. Used under the
 * server's lock.
 */
final class ControlQueues {
    /** A message for the guest and where it goes. */
    record Outgoing(ChannelMessage message, GuestTarget target) {
    }

    private final ArrayDeque<Outgoing> pending = new ArrayDeque<>();
    private final ArrayDeque<byte[]> deferred = new ArrayDeque<>();
    private final int maxPending;
    private final int maxDeferred;

    ControlQueues(ServerConfig.Limits limits) {
        this.maxPending = limits.maxPendingMessages();
        this.maxDeferred = limits.maxDeferredMessages();
    }

    /** Whether guest messages must wait (answers are still undelivered). */
    boolean blocked() {
        return !pending.isEmpty();
    }

    /** Queues an undelivered message; false when {@code maxPending} already wait. */
    boolean hold(Outgoing outgoing) {
        if (pending.size() >= maxPending) {
            return false;
        }
        pending.addLast(outgoing);
        return true;
    }

    Outgoing nextPending() {
        return pending.peekFirst();
    }

    void delivered() {
        pending.removeFirst();
    }

    /** Holds back a guest message (a private copy); false when {@code maxDeferred} already wait. */
    boolean defer(byte[] message) {
        if (deferred.size() >= maxDeferred) {
            return false;
        }
        deferred.addLast(message);
        return true;
    }

    /** The oldest held-back guest message, removed; null when none. */
    byte[] nextDeferred() {
        return deferred.pollFirst();
    }

    boolean hasDeferred() {
        return !deferred.isEmpty();
    }

    int pendingCount() {
        return pending.size();
    }

    int deferredCount() {
        return deferred.size();
    }

    List<Outgoing> pendingMessages() {
        return List.copyOf(pending);
    }

    List<byte[]> deferredMessages() {
        return deferred.stream().map(byte[]::clone).toList();
    }

    void clear() {
        pending.clear();
        deferred.clear();
    }
}
