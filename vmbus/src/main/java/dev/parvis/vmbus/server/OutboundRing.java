package dev.parvis.vmbus.server;

import dev.parvis.abi.vmbus.PacketType;
import dev.parvis.vmbus.device.SendResult;
import dev.parvis.vmbus.ring.RingCorruptException;
import dev.parvis.vmbus.ring.RingWriter;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A channel's outbound (host-to-guest) ring and the device threads that send on it. The writer
 * belongs to whoever holds {@code sendLock}, so sends from any thread are serialized; a send that
 * finds the ring full sets pending_send_sz (Linux's rule: packet plus trailer) and waits for the
 * guest's signal or a change of the channel's mode, bounded by the server's send timeout. Sends
 * from other threads wait outside the lock while the channel has not started or is paused for a
 * save; the channel's own turn may still write, and a full ring then interrupts its packet (the
 * guest is suspended and frees nothing), which is delivered again after the resume.
 *
 * <p>The ring rules decide whether a write owes the guest a signal (the ring was empty and
 * interrupt_mask clear); a send from the channel's own turn owes it until the turn has read every
 * packet waiting, or ends ({@link #sendOwedSignal}), instead of sending it at once, so a turn that
 * answers a batch of requests wakes the guest once with all the answers, not once per answer while
 * the guest keeps catching up. A turn that must wait for ring space signals first (the guest must
 * see what it has to read). Nor does the signal wait for more than {@code signalBatch} answers: a
 * guest with many requests in flight then wakes while the turn still serves the rest, and its
 * next requests arrive before the turn has caught up, instead of the guest's wake-up and the
 * turn's work taking turns (like a NIC's interrupt moderation by frame count).
 */
final class OutboundRing {
    private static final MemorySegment EMPTY = MemorySegment.ofArray(new byte[0]);

    private final ServerChannel channel;
    private final RingWriter writer;
    private final long sendTimeoutNanos;
    private final ReentrantLock sendLock = new ReentrantLock();
    /** Senders waiting for ring space wait on this monitor; signals only notify it, never hold it long. */
    private final Object space = new Object();
    private final AtomicLong spaceEpoch = new AtomicLong();
    private final AtomicLong packetsOut = new AtomicLong();
    private final AtomicLong bytesOut = new AtomicLong();
    /**
     * A signal a write of the channel's turn owes the guest, sent when the turn ends. Only the turn sets
     * it (holding sendLock); whoever signals first clears it, so the guest gets one signal, never none.
     */
    private final AtomicBoolean signalOwed = new AtomicBoolean();
    private final int signalBatch;
    /** Packets written since the signal became owed (under sendLock). */
    private int writtenWhileOwed;
    /** Packets the channel's turn wrote since it last asked ({@link #takeTurnSends}); the turn's thread only. */
    private int turnSends;

    OutboundRing(ServerChannel channel, RingWriter writer, long sendTimeoutNanos, int signalBatch) {
        this.channel = channel;
        this.writer = writer;
        this.sendTimeoutNanos = sendTimeoutNanos;
        this.signalBatch = signalBatch;
    }

    int maxPayload() {
        return writer.maxPayload();
    }

    long packets() {
        return packetsOut.get();
    }

    long bytes() {
        return bytesOut.get();
    }

    /** The guest freed space, or the channel changed mode: every waiting sender looks again. */
    void wakeSenders() {
        spaceEpoch.incrementAndGet();
        synchronized (space) {
            space.notifyAll();
        }
    }

    /** Returns once no send holds the writer (one in progress finishes its write first). */
    void awaitSendInProgress() {
        sendLock.lock();
        sendLock.unlock();
    }

    SendResult send(PacketType type, int flags, long transactionId, MemorySegment payload, boolean wait) {
        if (payload.byteSize() > writer.maxPayload()) {
            return SendResult.TOO_LARGE;
        }
        long deadline = System.nanoTime() + sendTimeoutNanos;
        try {
            while (true) {
                if (channel.closing()) {
                    return SendResult.CLOSED;
                }
                long epoch = spaceEpoch.get();
                if (!channel.acceptsSendFromThisThread()) {
                    // Not started yet, or paused for a save: wait without holding the writer.
                    if (!awaitSpace(epoch, deadline)) {
                        return SendResult.RING_FULL;
                    }
                    continue;
                }
                SendResult result = sendLocked(type, flags, transactionId, payload, wait, deadline);
                if (result != null) {
                    return result;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return SendResult.CLOSED;
        }
    }

    /** One attempt holding the writer; null when a pause came in and the caller must wait outside it. */
    private SendResult sendLocked(PacketType type, int flags, long transactionId, MemorySegment payload, boolean wait,
                                  long deadline) throws InterruptedException {
        boolean requested = false;
        sendLock.lock();
        try {
            while (true) {
                if (channel.closing()) {
                    return SendResult.CLOSED;
                }
                if (!channel.acceptsSendFromThisThread()) {
                    return null;
                }
                long epoch = spaceEpoch.get();
                switch (writer.write(type, flags, transactionId, EMPTY, payload)) {
                    case WRITTEN -> {
                        if (signalOwed.get() && ++writtenWhileOwed >= signalBatch) {
                            sendOwedSignal();
                        }
                        return sent(payload);
                    }
                    case WRITTEN_SIGNAL -> {
                        if (channel.isTurnThread()) {
                            writtenWhileOwed = 1;
                            signalOwed.set(true);
                        } else {
                            signalNow();
                        }
                        return sent(payload);
                    }
                    case FULL -> {
                        if (signalOwed.getAndSet(false)) {
                            channel.signalGuest(); // the guest frees space only once it knows there is something to read
                        }
                        if (!channel.running()) {
                            channel.interruptPacket(); // our own turn while pausing: the guest frees nothing now
                            return SendResult.RING_FULL;
                        }
                        if (!wait) {
                            return SendResult.RING_FULL;
                        }
                    }
                }
                if (!requested) {
                    requested = true;
                    if (writer.requestSpace((int) RingWriter.packetSize(0, payload.byteSize()))) {
                        continue;
                    }
                }
                channel.publishReadBeforeWait();
                if (!awaitSpace(epoch, deadline)) {
                    return SendResult.RING_FULL;
                }
            }
        } catch (RingCorruptException | RuntimeException e) {
            channel.outboundFailed(e.getMessage());
            return SendResult.CLOSED;
        } finally {
            if (requested) {
                try {
                    writer.clearSpaceRequest();
                } catch (RuntimeException ignored) {
                    // The ring memory went away; the channel is closing.
                }
            }
            sendLock.unlock();
        }
    }

    /**
     * Sends the signal the channel's turn owes the guest, if it owes one; the turn calls it once it
     * has caught up with the inbound ring, and as it ends.
     * Without sendLock: a send from another thread may hold it for as long as the ring stays full.
     */
    void sendOwedSignal() {
        if (signalOwed.getAndSet(false) && !channel.closing()) {
            channel.signalGuest();
        }
    }

    /** Signals the guest, which settles any signal the turn owes. */
    private void signalNow() {
        signalOwed.set(false);
        channel.signalGuest();
    }

    /** Waits for a guest signal or a mode change after {@code epoch}; false at the deadline. */
    private boolean awaitSpace(long epoch, long deadline) throws InterruptedException {
        synchronized (space) {
            while (spaceEpoch.get() == epoch && !channel.closing()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(space, left);
            }
        }
        return true;
    }

    /** Packets the channel's own turn wrote since the last call; for the turn's thread. */
    int takeTurnSends() {
        int n = turnSends;
        turnSends = 0;
        return n;
    }

    private SendResult sent(MemorySegment payload) {
        if (channel.isTurnThread()) {
            turnSends++;
        }
        packetsOut.incrementAndGet();
        bytesOut.addAndGet(payload.byteSize());
        channel.sentOne();
        return SendResult.SENT;
    }
}
