package dev.parvis.vmbus.server;

import dev.parvis.abi.vmbus.Guid;
import dev.parvis.abi.vmbus.PacketType;
import dev.parvis.abi.vmbus.VmbusConstants;
import dev.parvis.vmbus.device.ChannelCounters;
import dev.parvis.vmbus.device.ChannelHandler;
import dev.parvis.vmbus.device.GpaDirectBuffers;
import dev.parvis.vmbus.device.GpaDirectRefusedException;
import dev.parvis.vmbus.device.SendResult;
import dev.parvis.vmbus.device.VmbusChannel;
import dev.parvis.vmbus.ring.IncomingPacket;
import dev.parvis.vmbus.ring.RingBuffer;
import dev.parvis.vmbus.ring.RingCorruptException;
import dev.parvis.vmbus.ring.RingReader;
import dev.parvis.vmbus.ring.RingWriter;
import dev.parvis.vmbus.ring.WriteResult;
import dev.parvis.vmcore.GuestMemoryView;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The data path of one open channel. Threads and ownership:
 * <ul>
 * <li>the inbound (guest-to-host) ring's reader belongs to this channel's worker thread alone: it
 *     drains the ring after every guest signal and runs the device handler;</li>
 * <li>the outbound (host-to-guest) ring's writer belongs to whoever holds {@code sendLock}; device
 *     sends from any thread are serialized by it, and a send on a full ring parks on
 *     {@code spaceSignalled} (bounded by the server's send timeout) until the guest signals;</li>
 * <li>{@link #onGuestSignal} (any thread) only sets a flag, unparks the worker and wakes waiting senders.</li>
 * </ul>
 * The worker is also the one that ends the channel: it stops on {@link #close}, on a corrupt ring
 * or revoked guest memory, then waits out any send in progress, runs {@code onClose} once and
 * tells the server, which releases the ring GPADL.
 */
public final class ServerChannel implements VmbusChannel {
    private static final MemorySegment EMPTY = MemorySegment.ofArray(new byte[0]);

    private final VmbusServer server;
    private final ServerEffects effects;
    private final GuestErrorLog errors;
    private final int relid;
    private final Guid interfaceType;
    private final Guid instance;
    private final RingReader reader;
    private final RingWriter writer;
    private final MemorySegment receiveBuffer;
    private final long sendTimeoutNanos;
    private final ReentrantLock sendLock = new ReentrantLock();
    private final Condition spaceSignalled = sendLock.newCondition();
    private final AtomicBoolean signalled = new AtomicBoolean(true);
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final List<GuestMemoryView> viewsToClose = new ArrayList<>();
    private final AtomicLong packetsIn = new AtomicLong();
    private final AtomicLong bytesIn = new AtomicLong();
    private final AtomicLong packetsOut = new AtomicLong();
    private final AtomicLong bytesOut = new AtomicLong();
    private volatile int targetVp;
    private volatile boolean closing;
    private volatile String closeReason = "closed";
    private volatile ChannelHandler handler;
    private Thread worker;

    ServerChannel(VmbusServer server, ServerEffects effects, GuestErrorLog errors, int relid, Guid interfaceType,
                  Guid instance, RingBuffer inbound, RingBuffer outbound, int inboundDataSize, int targetVp,
                  long sendTimeoutNanos) {
        this.server = server;
        this.effects = effects;
        this.errors = errors;
        this.relid = relid;
        this.interfaceType = interfaceType;
        this.instance = instance;
        this.reader = inbound.reader();
        this.writer = outbound.writer();
        this.receiveBuffer = MemorySegment.ofArray(new byte[inboundDataSize]);
        this.targetVp = targetVp;
        this.sendTimeoutNanos = sendTimeoutNanos;
    }

    /** Starts the worker with the device's handler; called once by the server after OPEN_CHANNEL_RESULT. */
    void start(ChannelHandler channelHandler) {
        this.handler = channelHandler;
        worker = Thread.ofVirtual().name("vmbus-channel-" + relid).unstarted(this::run);
        worker.start();
    }

    /** The guest signalled this channel: data to read, or space freed in the outbound ring. Any thread. */
    public void onGuestSignal() {
        signalled.set(true);
        Thread w = worker;
        if (w != null) {
            LockSupport.unpark(w);
        }
        sendLock.lock();
        try {
            spaceSignalled.signalAll();
        } finally {
            sendLock.unlock();
        }
    }

    void setTargetVp(int vp) {
        this.targetVp = vp;
    }

    /** Asks the worker to stop; returns at once. onClose and the server's release follow on the worker. */
    void requestClose(String reason) {
        if (!closing) {
            closeReason = reason;
            closing = true;
        }
        Thread w = worker;
        if (w != null) {
            LockSupport.unpark(w);
        }
        sendLock.lock();
        try {
            spaceSignalled.signalAll();
        } finally {
            sendLock.unlock();
        }
    }

    /** Closes {@code view} once the worker has stopped touching the rings (now, if it already has). */
    void closeViewOnTermination(GuestMemoryView view) {
        synchronized (viewsToClose) {
            if (terminated.getCount() > 0) {
                viewsToClose.add(view);
                return;
            }
        }
        view.close();
    }

    /** Waits until the worker has run onClose; for tests and orderly shutdown. */
    public boolean awaitTerminated(long timeout, TimeUnit unit) throws InterruptedException {
        return terminated.await(timeout, unit);
    }

    public boolean isTerminated() {
        return terminated.getCount() == 0;
    }

    private void run() {
        boolean guestFault = false;
        try {
            while (!closing) {
                drain();
                while (!closing && !signalled.getAndSet(false)) {
                    LockSupport.park(this);
                }
            }
        } catch (RingCorruptException e) {
            guestFault = true;
            closeReason = "inbound ring corrupt: " + e.getMessage();
        } catch (IllegalStateException e) {
            guestFault = true;
            closeReason = "ring memory no longer accessible: " + e.getMessage();
        } catch (RuntimeException e) {
            closeReason = "device handler failed: " + e;
        } finally {
            terminate(guestFault);
        }
    }

    private void drain() throws RingCorruptException {
        while (!closing) {
            reader.setInterruptMask(true);
            IncomingPacket packet;
            while (!closing && (packet = reader.read(receiveBuffer)) != null) {
                if (reader.commit()) {
                    effects.signalGuest(relid, targetVp);
                }
                packetsIn.incrementAndGet();
                bytesIn.addAndGet(packet.payload().byteSize());
                handler.onPacket(packet);
            }
            reader.setInterruptMask(false);
            if (closing || !reader.hasData()) {
                return;
            }
        }
    }

    private void terminate(boolean guestFault) {
        closing = true;
        sendLock.lock();
        try {
            spaceSignalled.signalAll();
        } finally {
            sendLock.unlock();
        }
        try {
            handler.onClose();
        } catch (RuntimeException e) {
            errors.report("channel " + relid + ": device onClose failed: " + e);
        }
        List<GuestMemoryView> views;
        synchronized (viewsToClose) {
            terminated.countDown();
            views = List.copyOf(viewsToClose);
            viewsToClose.clear();
        }
        views.forEach(GuestMemoryView::close);
        if (guestFault) {
            errors.report("channel " + relid + " closed: " + closeReason);
        }
        server.channelTerminated(this, closeReason);
    }

    @Override
    public int relid() {
        return relid;
    }

    @Override
    public Guid interfaceType() {
        return interfaceType;
    }

    @Override
    public Guid instance() {
        return instance;
    }

    @Override
    public SendResult sendInband(long transactionId, MemorySegment payload, boolean completionRequested) {
        return send(PacketType.DATA_INBAND, completionRequested ? VmbusConstants.PACKET_FLAG_COMPLETION_REQUESTED : 0,
                transactionId, payload, true);
    }

    @Override
    public SendResult trySendInband(long transactionId, MemorySegment payload, boolean completionRequested) {
        return send(PacketType.DATA_INBAND, completionRequested ? VmbusConstants.PACKET_FLAG_COMPLETION_REQUESTED : 0,
                transactionId, payload, false);
    }

    @Override
    public SendResult sendCompletion(long transactionId, MemorySegment payload) {
        return send(PacketType.COMPLETION, 0, transactionId, payload == null ? EMPTY : payload, true);
    }

    @Override
    public int maxPayload() {
        return writer.maxPayload();
    }

    private SendResult send(PacketType type, int flags, long transactionId, MemorySegment payload, boolean wait) {
        if (closing) {
            return SendResult.CLOSED;
        }
        if (payload.byteSize() > writer.maxPayload()) {
            return SendResult.TOO_LARGE;
        }
        int packetBytes = (int) RingWriter.packetSize(0, payload.byteSize());
        long deadline = System.nanoTime() + sendTimeoutNanos;
        boolean requested = false;
        sendLock.lock();
        try {
            while (true) {
                if (closing) {
                    return SendResult.CLOSED;
                }
                switch (writer.write(type, flags, transactionId, EMPTY, payload)) {
                    case WRITTEN -> {
                        return sent(payload);
                    }
                    case WRITTEN_SIGNAL -> {
                        effects.signalGuest(relid, targetVp);
                        return sent(payload);
                    }
                    case FULL -> {
                        if (!wait) {
                            return SendResult.RING_FULL;
                        }
                    }
                }
                if (!requested) {
                    requested = true;
                    if (writer.requestSpace(packetBytes)) {
                        continue;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return SendResult.RING_FULL;
                }
                spaceSignalled.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return SendResult.CLOSED;
        } catch (RingCorruptException | RuntimeException e) {
            errors.report("channel " + relid + ": outbound ring failed: " + e.getMessage());
            requestClose("outbound ring failed: " + e.getMessage());
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

    private SendResult sent(MemorySegment payload) {
        packetsOut.incrementAndGet();
        bytesOut.addAndGet(payload.byteSize());
        return SendResult.SENT;
    }

    @Override
    public GpaDirectBuffers mapGpaDirect(IncomingPacket packet, boolean writable) throws GpaDirectRefusedException {
        return GpaDirectMapping.map(effects, packet, writable);
    }

    @Override
    public ChannelCounters counters() {
        return new ChannelCounters(packetsIn.get(), bytesIn.get(), packetsOut.get(), bytesOut.get());
    }

    @Override
    public boolean isOpen() {
        return !closing;
    }

    @Override
    public void close() {
        requestClose("closed by the device");
    }

    @Override
    public String toString() {
        return "ServerChannel[relid=" + relid + ", " + interfaceType + "/" + instance + (closing ? ", closing" : "") + "]";
    }
}
