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
import dev.parvis.vmcore.GuestMemoryView;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The data path of one open channel. Threads and ownership:
 * <ul>
 * <li>the inbound (guest-to-host) ring's reader belongs to the channel's turn ({@link ChannelTurns}):
 *     a turn drains at most the per-turn budget of packets and bytes, running the device handler
 *     on each, then yields the thread to other channels; a turn that has caught up looks a little
 *     longer for the guest's next packet before it ends ({@link ArrivalPoll});</li>
 * <li>the outbound (host-to-guest) ring belongs to {@link OutboundRing}: device sends from any
 *     thread are serialized by its lock, and a send on a full ring waits (bounded by the server's
 *     send timeout) for the guest's signal;</li>
 * <li>{@link #onGuestSignal} (a VP thread) spends the signal budget, requests a turn and wakes
 *     waiting senders; it takes no lock that is held across a hypercall.</li>
 * </ul>
 * A turn is also what ends the channel: on {@link #requestClose}, a corrupt ring, revoked guest
 * memory, a failing device or a signal flood it waits out any send in progress, runs
 * {@code onClose} once and tells the server, which releases the ring GPADL and the receive buffer.
 *
 * <p>A packet is consumed (read_index published, once per batch: {@link InboundProgress}) only after
 * the device's handler returned, and a
 * save can {@link #pause} the channel at a packet boundary: a send the handler makes while the
 * channel pauses does not wait for ring space (the guest is suspended and will not free any); if
 * it cannot be written, the packet is left unconsumed and is delivered again after the resume or
 * restore. So a saved channel holds each packet either answered or unread, never half-handled.
 * Devices whose handling of one packet sends more than once must tolerate such a redelivery.
 * Before {@link #start} and while paused, sends from other threads wait (bounded by the send timeout).
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
    private final InboundProgress consumed;
    private final MemorySegment receiveBuffer;
    private final ServerConfig.Limits limits;
    private final SignalBudget signals;
    private final ChannelTurns turns;
    private final OutboundRing outbound;
    private final ArrivalPoll arrivals;
    /** Whether a caught-up turn must stop looking for the guest's next packet. */
    private final BooleanSupplier stopPolling = () -> this.closing || this.mode != RUNNING;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final List<GuestMemoryView> viewsToClose = new ArrayList<>();
    private static final int NEW = 0;
    private static final int RUNNING = 1;
    private static final int PAUSED = 2;

    private volatile int targetVp;
    private volatile int mode = NEW;
    /** The thread running the current turn (its handler's sends behave differently while pausing). */
    private volatile Thread turnThread;
    /** Set by a send in the current turn that a pause refused: the packet is delivered again. */
    private boolean packetInterrupted;
    private volatile boolean closing;
    /** The guest broke the channel (a flood, a corrupt ring): its close is worth a line in the guest-error log. */
    private volatile boolean guestFault;
    private volatile String closeReason = "closed";
    private volatile ChannelHandler handler;

    ServerChannel(VmbusServer server, ServerEffects effects, GuestErrorLog errors, ServerConfig config, int relid,
                  Guid interfaceType, Guid instance, RingBuffer inbound, RingBuffer outbound, int receiveBufferBytes,
                  int targetVp) {
        this.server = server;
        this.effects = effects;
        this.errors = errors;
        this.relid = relid;
        this.interfaceType = interfaceType;
        this.instance = instance;
        this.reader = inbound.reader();
        this.receiveBuffer = MemorySegment.ofArray(new byte[receiveBufferBytes]);
        this.targetVp = targetVp;
        this.limits = config.limits();
        this.signals = new SignalBudget(limits.signalBurst(), limits.signalPerSecond());
        this.consumed = new InboundProgress(reader, inbound.dataSize(), signals);
        this.arrivals = new ArrivalPoll(limits.turnPollNanos());
        this.turns = new ChannelTurns(effects.channelExecutor(), this::turn, limits.turnSliceNanos());
        this.outbound = new OutboundRing(this, outbound.writer(), config.sendTimeout().toNanos(), limits.signalBatch());
    }

    /** Starts the data path with the device's handler; called once by the server after OPEN_CHANNEL_RESULT. */
    void start(ChannelHandler channelHandler) {
        this.handler = channelHandler;
        mode = RUNNING;
        wakeSenders();
        turns.request();
    }

    /**
     * Stops the data path at a packet boundary for a save: no turn runs after this returns true, and
     * no send reaches the ring until {@link #resume}. False when a turn did not end within
     * {@code timeoutNanos} (a device stuck in its handler), or at once when the channel is closing:
     * its next turn only ends it, and that turn's last step tells the server, whose lock the save
     * holds, so waiting for it would only wait out the timeout. The channel then stays paused.
     */
    boolean pause(long timeoutNanos) {
        if (mode == NEW) {
            return true;
        }
        mode = PAUSED;
        wakeSenders(); // a send waiting for space sees the pause and gives up
        outbound.awaitSendInProgress(); // a send from another thread finishes its write first
        return turns.awaitQuiet(timeoutNanos, () -> closing);
    }

    /** Ends a {@link #pause}: the data path runs again and waiting sends go on. */
    void resume() {
        if (mode == PAUSED) {
            mode = RUNNING;
            wakeSenders();
            turns.request();
        }
    }

    /**
     * A channel that never started and never will (its open completed after the connection gave it
     * up): the device's handler gets onClose, the views wait no longer, the server is not told.
     */
    void discard(ChannelHandler channelHandler) {
        closing = true;
        wakeSenders();
        try {
            if (channelHandler != null) {
                channelHandler.onClose();
            }
        } catch (Throwable t) {
            errors.report("channel " + relid + ": device onClose failed: " + t);
        }
        finishTermination();
    }

    /** The guest signalled this channel: data to read, or space freed in the outbound ring. A VP thread. */
    public void onGuestSignal() {
        if (!signals.spend()) {
            guestFault = true;
            requestClose("signal flood: " + signals.signals() + " guest signals for " + (consumed.packets() + outbound.packets())
                    + " packets");
            return;
        }
        if (handler != null) {
            turns.request();
        }
        wakeSenders();
    }

    private void wakeSenders() {
        outbound.wakeSenders();
    }

    // ---- what the outbound ring asks of the channel ------------------------------------------

    boolean closing() {
        return closing;
    }

    /** Sends reach the ring: started and not paused, or the channel's own turn while it pauses. */
    boolean acceptsSendFromThisThread() {
        return mode == RUNNING || Thread.currentThread() == turnThread;
    }

    boolean running() {
        return mode == RUNNING;
    }

    /** The calling thread runs the channel's turn (whose sends owe their signals to the turn's end). */
    boolean isTurnThread() {
        return Thread.currentThread() == turnThread;
    }

    /**
     * The turn's device is about to wait for outbound space, which the guest may free only once it can
     * write again: the room of the packets handled before this one goes back to it first.
     */
    void publishReadBeforeWait() {
        if (isTurnThread() && consumed.publishBeforeCurrent()) {
            signalGuest();
        }
    }

    /** A send in the channel's own turn that a pause refused: the packet is delivered again. */
    void interruptPacket() {
        packetInterrupted = true;
    }

    /** The guest's outbound ring wants a signal (it was empty or waited for data). */
    void signalGuest() {
        effects.signalGuest(relid, targetVp);
    }

    /** A packet went out: it earns the guest signal budget like one it sent. */
    void sentOne() {
        signals.earn(1);
    }

    void outboundFailed(String reason) {
        errors.report("channel " + relid + ": outbound ring failed: " + reason);
        requestClose("outbound ring failed: " + reason);
    }

    void setTargetVp(int vp) {
        this.targetVp = vp;
    }

    /** Asks the channel to stop; returns at once. onClose and the server's release follow in a turn. */
    void requestClose(String reason) {
        if (!closing) {
            closeReason = reason;
            closing = true;
        }
        if (handler != null) {
            turns.request();
        }
        wakeSenders();
    }

    /** Closes {@code view} once the channel has stopped touching the rings (now, if it already has). */
    void closeViewOnTermination(GuestMemoryView view) {
        synchronized (viewsToClose) {
            if (terminated.getCount() > 0) {
                viewsToClose.add(view);
                return;
            }
        }
        view.close();
    }

    /** Waits until the channel has run onClose; for tests and orderly shutdown. */
    public boolean awaitTerminated(long timeout, TimeUnit unit) throws InterruptedException {
        return terminated.await(timeout, unit);
    }

    public boolean isTerminated() {
        return terminated.getCount() == 0;
    }

    /** Why the channel closed (or is closing); "closed" while it is open. */
    public String closeReason() {
        return closeReason;
    }

    /** Bytes of the channel's receive buffer: the largest packet it accepts, chosen by the host. */
    public int receiveBufferBytes() {
        return (int) receiveBuffer.byteSize();
    }

    /** Turns run so far. */
    public long turnCount() {
        return turns.count();
    }

    private ChannelTurns.Outcome turn() {
        try {
            if (!closing && mode != RUNNING) {
                return ChannelTurns.Outcome.CAUGHT_UP; // paused: resume requests the next turn
            }
            if (!closing) {
                if (drain()) {
                    return ChannelTurns.Outcome.MORE;
                }
                if (!closing) {
                    return ChannelTurns.Outcome.CAUGHT_UP;
                }
            }
        } catch (RingCorruptException e) {
            guestFault = true;
            closeReason = e.reason() == RingCorruptException.Reason.PACKET_EXCEEDS_BUFFER
                    ? "packet of " + e.value() + " bytes exceeds the channel's maximum of " + receiveBufferBytes() + " bytes"
                    : "inbound ring corrupt: " + e.getMessage();
        } catch (DeviceFailure e) {
            closeReason = "device handler failed: " + e.getCause();
        } catch (IllegalStateException e) {
            guestFault = true;
            closeReason = "ring memory no longer accessible: " + e.getMessage();
        } catch (Throwable t) {
            closeReason = "channel failed: " + t;
        }
        terminate();
        return ChannelTurns.Outcome.ENDED;
    }

    /** Reads packets until the ring is empty or the turn's budget is spent; true when work is left. */
    private boolean drain() throws RingCorruptException {
        turnThread = Thread.currentThread();
        arrivals.turnStarted();
        int packets = 0;
        long bytes = 0;
        try {
            reader.setInterruptMask(true);
            while (!closing && mode == RUNNING) {
                if (packets >= limits.turnPackets() || bytes >= limits.turnBytes()) {
                    return true; // interrupt_mask stays set: the next turn is already queued
                }
                IncomingPacket packet = reader.read(receiveBuffer);
                if (packet == null) {
                    publishRead();
                    if (caughtUp()) {
                        continue;
                    }
                    return false;
                }
                packetInterrupted = false;
                deliver(packet);
                if (packetInterrupted) {
                    reader.unreadLast(); // a save paused us inside this packet: it is delivered again later
                    return false;
                }
                long size = packet.payload().byteSize();
                if (consumed.handled(size)) {
                    publishRead();
                }
                packets++;
                bytes += size;
            }
            return false;
        } finally {
            publishRead();
            consumed.count();
            outbound.sendOwedSignal();
            turnThread = null;
        }
    }

    /** Publishes read_index for the packets handled ({@link InboundProgress}). */
    private void publishRead() {
        if (consumed.publish()) {
            effects.signalGuest(relid, targetVp);
        }
    }

    /**
     * The turn has read every packet waiting. The guest hears of this batch's answers now, and its next
     * request may still find this turn running (it then needs no signal and no new turn): a turn that
     * answered requests itself looks for it briefly; answers from a device's own threads (file I/O)
     * come later, and a poll would take a core from them. Then interrupt_mask is cleared and the ring
     * looked at once more (Linux's hv_end_read). True when a packet came (the mask is set again).
     */
    private boolean caughtUp() throws RingCorruptException {
        consumed.count(); // before the signal the guest may act on
        outbound.sendOwedSignal();
        if (outbound.takeTurnSends() > 0 && arrivals.awaitPacket(reader, stopPolling)) {
            return true;
        }
        reader.setInterruptMask(false);
        if (!reader.hasData()) {
            return false;
        }
        reader.setInterruptMask(true);
        return true;
    }

    private void deliver(IncomingPacket packet) {
        try {
            handler.onPacket(packet);
        } catch (Throwable t) {
            throw new DeviceFailure(t);
        }
    }

    /** A device handler threw; carries what it threw. */
    private static final class DeviceFailure extends RuntimeException {
        DeviceFailure(Throwable cause) {
            super(cause);
        }
    }

    private void terminate() {
        closing = true;
        wakeSenders();
        outbound.awaitSendInProgress(); // it sees closing and returns
        try {
            handler.onClose();
        } catch (Throwable t) {
            errors.report("channel " + relid + ": device onClose failed: " + t);
        }
        if (guestFault) {
            errors.report("channel " + relid + " closed: " + closeReason);
        }
        server.channelTerminated(this, closeReason);
        finishTermination(); // last: whoever awaits the termination finds the server told
    }

    private void finishTermination() {
        List<GuestMemoryView> views;
        synchronized (viewsToClose) {
            terminated.countDown();
            views = List.copyOf(viewsToClose);
            viewsToClose.clear();
        }
        for (GuestMemoryView v : views) {
            closeQuietly(v);
        }
    }

    private static void closeQuietly(GuestMemoryView view) {
        try {
            view.close();
        } catch (RuntimeException e) {
            // Already revoked by the kernel: nothing left to release.
        }
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
        return outbound.send(PacketType.DATA_INBAND, completionRequested ? VmbusConstants.PACKET_FLAG_COMPLETION_REQUESTED : 0,
                transactionId, payload, true);
    }

    @Override
    public SendResult trySendInband(long transactionId, MemorySegment payload, boolean completionRequested) {
        return outbound.send(PacketType.DATA_INBAND, completionRequested ? VmbusConstants.PACKET_FLAG_COMPLETION_REQUESTED : 0,
                transactionId, payload, false);
    }

    @Override
    public SendResult sendCompletion(long transactionId, MemorySegment payload) {
        return outbound.send(PacketType.COMPLETION, 0, transactionId, payload == null ? EMPTY : payload, true);
    }

    @Override
    public int maxPayload() {
        return outbound.maxPayload();
    }

    @Override
    public GpaDirectBuffers mapGpaDirect(IncomingPacket packet, boolean writable) throws GpaDirectRefusedException {
        return GpaDirectMapping.map(effects, packet, writable);
    }

    @Override
    public boolean morePacketsWaiting() {
        return Thread.currentThread() == turnThread && reader.bytesToRead() > 0;
    }

    @Override
    public ChannelCounters counters() {
        return new ChannelCounters(consumed.packets(), consumed.bytes(), outbound.packets(), outbound.bytes());
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
