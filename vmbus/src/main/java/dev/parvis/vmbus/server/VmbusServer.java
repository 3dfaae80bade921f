package dev.parvis.vmbus.server;

import dev.parvis.abi.vmbus.AllOffersDelivered;
import dev.parvis.abi.vmbus.ChannelMessage;
import dev.parvis.abi.vmbus.ChannelMessageType;
import dev.parvis.abi.vmbus.CloseChannel;
import dev.parvis.abi.vmbus.GpadlBody;
import dev.parvis.abi.vmbus.GpadlCreated;
import dev.parvis.abi.vmbus.GpadlHeader;
import dev.parvis.abi.vmbus.GpadlTeardown;
import dev.parvis.abi.vmbus.GpadlTorndown;
import dev.parvis.abi.vmbus.InitiateContact;
import dev.parvis.abi.vmbus.MalformedChannelMessageException;
import dev.parvis.abi.vmbus.ModifyChannel;
import dev.parvis.abi.vmbus.ModifyChannelResponse;
import dev.parvis.abi.vmbus.OfferChannel;
import dev.parvis.abi.vmbus.OpenChannel;
import dev.parvis.abi.vmbus.OpenChannelResult;
import dev.parvis.abi.vmbus.RelidReleased;
import dev.parvis.abi.vmbus.RequestOffers;
import dev.parvis.abi.vmbus.RescindChannelOffer;
import dev.parvis.abi.vmbus.Unload;
import dev.parvis.abi.vmbus.UnloadResponse;
import dev.parvis.abi.vmbus.VersionResponse;
import dev.parvis.abi.vmbus.VmbusConstants;
import dev.parvis.abi.vmbus.VmbusVersion;
import dev.parvis.vmbus.device.VmbusDeviceClass;
import dev.parvis.vmbus.server.ConnectionState.Connected;
import dev.parvis.vmbus.server.ConnectionState.Disconnected;
import dev.parvis.vmcore.GuestMemoryView;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The VMBus server for one child connection (hyperv-abi-vmbus.md section 6) as a state machine
 * without I/O, in the style of OpenVMM's {@code channels.rs}: the root feeds it the guest's control
 * messages ({@link #onMessage}) and channel signals ({@link #onChannelSignal}); it answers through
 * {@link ServerEffects#sendMessage}, keeps what the guest's full queue refuses ({@link #flush}), and
 * hands everything slow (GPADL grants, ring construction and the device's open, view releases) to
 * {@link ServerRequests}, off the control path, whose completions move the state on (Granting to
 * Created, Opening to Open). Its parts: {@link ConnectionLifecycle} (contact, offers, unload),
 * {@link Gpadls}, {@link ChannelTable} (offers and channel states), {@link ControlQueues} (held
 * messages both ways) and {@link ServerSnapshots}. Every intermediate state is explicit, so
 * {@link #snapshot} captures the connection at any instant and {@link #restore} rebuilds it.
 *
 * <p>Threading: every method is serialized by the server's monitor and none blocks: the pump, the
 * runner's completions, channel terminations and the host's queries may call from any thread. No
 * guest input makes {@link #onMessage} throw: malformed or ill-timed messages get the published
 * error answer where one exists and a rate-limited log line.
 */
public final class VmbusServer {
    /** Versions this server speaks (docs/vmbus.md). */
    public static final Set<VmbusVersion> SUPPORTED_VERSIONS = Set.of(VmbusVersion.WIN10, VmbusVersion.WIN10_V4_1,
            VmbusVersion.WIN10_V5, VmbusVersion.WIN10_V5_1, VmbusVersion.WIN10_V5_2, VmbusVersion.WIN10_V5_3);
    /** msg_conn_id answered to 5.0+ guests. */
    public static final int MESSAGE_CONNECTION_ID = VmbusConstants.MESSAGE_CONNECTION_ID;
    static final int SINT_COUNT = 16;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** How long {@link #snapshot} waits for each channel to reach a packet boundary. */
    private static final long PAUSE_NANOS = 2_000_000_000L;

    private final ServerEffects effects;
    private final ServerConfig config;
    private final GuestErrorLog errors;
    private final Gpadls gpadls;
    private final ChannelTable channels;
    private final ControlQueues queues;
    private final ServerRequests requests;
    private final ConnectionLifecycle lifecycle = new ConnectionLifecycle(this);
    private final List<VmbusDeviceClass> devices = new ArrayList<>();
    private ConnectionState connection = new Disconnected();
    private long droppedAfterFailure;
    /** Between {@link #snapshot} and {@link #resume} (or {@link #close}): nothing reaches the guest. */
    private boolean frozen;

    public VmbusServer(ServerEffects effects, ServerConfig config) {
        this.effects = effects;
        this.config = config;
        this.errors = new GuestErrorLog(effects, "vmbus: ", config.logBurst(), config.logPerSecond());
        this.gpadls = new Gpadls(new GpadlSink(), errors, config.maxGpadls(), config.maxPendingGpadls());
        this.channels = new ChannelTable(this, gpadls, errors, config);
        this.queues = new ControlQueues(config.limits());
        this.requests = new ServerRequests(this, effects);
    }

    /** Registers a device; offered at the next REQUEST_OFFERS, or at once if offers were already sent. */
    public synchronized void addDevice(VmbusDeviceClass device) {
        devices.add(device);
        if (connection instanceof Connected c && c.offersSent()) {
            channels.offer(device);
        }
    }

    // ---- guest messages ----------------------------------------------------------------------

    /**
     * One control message from the guest, {@code length} bytes of {@code message}. Held back (copied)
     * while answers to the guest wait for room in its queue, or while the server is frozen for a
     * save; a guest that goes on posting while it ignores its answers has its connection failed.
     * No guest input makes this throw.
     */
    public synchronized void onMessage(MemorySegment message, int length) {
        if (length < 0 || length > message.byteSize() || length > VmbusConstants.MAX_MESSAGE_SIZE) {
            errors.report("control message of " + length + " bytes (buffer " + message.byteSize() + ")");
            return;
        }
        if (connection instanceof ConnectionState.Failed f) {
            if (droppedAfterFailure++ % 10_000 == 0) {
                errors.report("control message dropped: the connection failed (" + f.reason() + ")");
            }
            return;
        }
        if (frozen || queues.blocked() || queues.hasDeferred()) {
            if (!queues.defer(message.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE))) {
                fail("control-message flood: " + queues.deferredCount() + " messages posted while "
                        + queues.pendingCount() + " answers wait for the guest to read its SINT queue");
            }
            return;
        }
        process(message, length);
    }

    private void process(MemorySegment message, int length) {
        try {
            ChannelMessage parsed;
            try {
                parsed = ChannelMessage.parse(message, length);
            } catch (MalformedChannelMessageException e) {
                answerMalformed(message, length, e.getMessage());
                return;
            }
            dispatch(parsed, message, length);
        } catch (RuntimeException e) {
            errors.report("internal error on a control message of " + length + " bytes: " + e);
        }
    }

    private void dispatch(ChannelMessage m, MemorySegment raw, int length) {
        switch (m) {
            case InitiateContact c -> lifecycle.onInitiateContact(c);
            case RequestOffers r -> lifecycle.onRequestOffers();
            case GpadlHeader h -> whenConnected(h, c -> gpadls.onHeader(h, raw, length, channels::known));
            case GpadlBody b -> whenConnected(b, c -> gpadls.onBody(b, raw, length));
            case GpadlTeardown t -> whenConnected(t, c -> gpadls.onTeardown(t.gpadl()));
            case OpenChannel o -> whenConnected(o, c -> channels.onOpen(o));
            case CloseChannel cl -> whenConnected(cl, c -> channels.onClose(cl.childRelid()));
            case RelidReleased r -> whenConnected(r, c -> channels.onRelidReleased(r.childRelid()));
            case ModifyChannel mc -> whenConnected(mc,
                    c -> channels.onModify(mc, c.version().isAtLeast(VmbusVersion.WIN10_V5_3)));
            case Unload u -> lifecycle.onUnload();
            case OfferChannel x -> wrongDirection(x);
            case RescindChannelOffer x -> wrongDirection(x);
            case AllOffersDelivered x -> wrongDirection(x);
            case OpenChannelResult x -> wrongDirection(x);
            case GpadlCreated x -> wrongDirection(x);
            case GpadlTorndown x -> wrongDirection(x);
            case VersionResponse x -> wrongDirection(x);
            case UnloadResponse x -> wrongDirection(x);
            case ModifyChannelResponse x -> wrongDirection(x);
        }
    }

    private interface ConnectedHandler {
        void handle(Connected connection);
    }

    private void whenConnected(ChannelMessage m, ConnectedHandler handler) {
        if (connection instanceof Connected c) {
            handler.handle(c);
        } else {
            errors.report(m.getClass().getSimpleName() + " refused: no connection (INITIATE_CONTACT first)");
        }
    }

    private void wrongDirection(ChannelMessage m) {
        errors.report(m.getClass().getSimpleName() + " refused: a host-to-guest message");
    }

    private void answerMalformed(MemorySegment raw, int length, String reason) {
        errors.report("malformed control message: " + reason);
        if (!(connection instanceof Connected) || length < 16) {
            return;
        }
        ChannelMessageType type = new ChannelMessageType(raw.get(U32, 0));
        if (type.equals(ChannelMessageType.GPADL_HEADER)) {
            gpadls.onMalformedHeader(raw.get(U32, 8), raw.get(U32, 12), reason);
        } else if (type.equals(ChannelMessageType.GPADL_BODY)) {
            gpadls.onMalformedBody(raw.get(U32, 12), reason);
        } else if (type.equals(ChannelMessageType.OPEN_CHANNEL)) {
            send(new OpenChannelResult(raw.get(U32, 8), raw.get(U32, 12), VmbusConstants.STATUS_UNSUCCESSFUL));
        }
    }

    // ---- connect, offers, unload: ConnectionLifecycle ---------------------------------------

    /**
     * Hot-removes channel {@code relid}: sends RESCIND_CHANNEL_OFFER and closes the channel; the
     * relid is reused only after the guest's RELID_RELEASED. The device is unregistered.
     *
     * @return false when no such offer is live on the connection
     */
    public synchronized boolean rescind(int relid) {
        Offer o = channels.offers().get(relid);
        if (!(connection instanceof Connected) || o == null || o.rescinded) {
            return false;
        }
        devices.remove(o.device);
        return channels.rescind(relid);
    }

    // ---- the guest's queue: backpressure ----------------------------------------------------

    /** Sends {@code message} to the connection's target, or queues it behind earlier undelivered ones. */
    void send(ChannelMessage message) {
        if (connection instanceof Connected c) {
            sendTo(message, c.target());
        }
    }

    void sendTo(ChannelMessage message, GuestTarget target) {
        if (!frozen && !queues.blocked() && effects.sendMessage(message, target)) {
            return;
        }
        if (!queues.hold(new ControlQueues.Outgoing(message, target))) {
            fail(queues.pendingCount() + " messages for the guest are undelivered: it does not read its SINT queue");
            return;
        }
        if (!frozen && queues.pendingCount() == 1) {
            effects.retryLater();
        }
    }

    /**
     * Delivers the messages the guest's queue refused earlier, in order, then processes the guest
     * messages held back meanwhile; stops at the first refusal and asks for another retry. Called by
     * the host after {@link ServerEffects#retryLater}; never throws.
     */
    public synchronized void flush() {
        while (!frozen) {
            ControlQueues.Outgoing next = queues.nextPending();
            if (next != null) {
                if (!effects.sendMessage(next.message(), next.target())) {
                    effects.retryLater();
                    return;
                }
                queues.delivered();
                continue;
            }
            byte[] held = queues.nextDeferred();
            if (held == null || connection instanceof ConnectionState.Failed) {
                return;
            }
            process(MemorySegment.ofArray(held), held.length);
        }
    }

    /**
     * Whether answers wait for room in the guest's queue. Guest messages are then held back; a
     * transport that serves only this child (the loopback) stops feeding them meanwhile, as a
     * hypervisor port whose queue is full refuses further posts.
     */
    public synchronized boolean blockedOnGuest() {
        return queues.blocked();
    }

    // ---- failure and close -------------------------------------------------------------------

    /**
     * Fails the connection: every channel closes, every GPADL view and signal path is released,
     * queued messages are dropped, and later guest messages are ignored until {@link #close}. Used
     * when the guest breaks the server's bounds and when serving it failed on the host (any
     * Throwable on a thread that serves several children ends here, for the offending child only).
     */
    public synchronized void fail(String reason) {
        if (connection instanceof ConnectionState.Failed) {
            return;
        }
        errors.report("connection failed: " + reason);
        channels.clear("connection failed: " + reason);
        queues.clear();
        connection = new ConnectionState.Failed(reason);
    }

    /** Why the connection failed, if it did. */
    public synchronized Optional<String> failure() {
        return connection instanceof ConnectionState.Failed f ? Optional.of(f.reason()) : Optional.empty();
    }

    /**
     * Ends the connection from the host side (the partition is going away, or was saved): every
     * channel closes, every signal path is released and every GPADL view is closed, also those of
     * requests still running. Nothing is sent to the guest. A new INITIATE_CONTACT is accepted after.
     */
    public synchronized void close() {
        channels.clear("host closed the connection");
        queues.clear();
        connection = new Disconnected();
        frozen = false;
        requests.runHeld(); // they find nothing that wants them and release what they hold
    }

    // ---- requests and their completions (ServerRequests) -------------------------------------

    long requestOpen(Offer offer, GuestMemoryView view, VmbusServerState.Open request) {
        return requests.open(offer, view, request);
    }

    void releaseView(GuestMemoryView view) {
        requests.releaseView(view);
    }

    int createSignal(int relid) {
        return effects.createChannelSignal(relid);
    }

    void releaseSignal(int relid) {
        try {
            effects.releaseChannelSignal(relid);
        } catch (RuntimeException e) {
            effects.log("vmbus: releasing the signal path of relid " + relid + " failed: " + e);
        }
    }

    /** A channel's data path stopped (any reason). Called at the end of its last turn. */
    void channelTerminated(ServerChannel channel, String reason) {
        requests.complete(() -> channels.terminated(channel));
    }

    /** The guest signalled channel {@code relid}. Any thread; no lock. */
    public void onChannelSignal(int relid) {
        Optional<ServerChannel> channel = channels.channel(relid);
        if (channel.isPresent()) {
            channel.get().onGuestSignal();
        } else {
            errors.report("signal for relid " + relid + " that is not open");
        }
    }

    private final class GpadlSink implements Gpadls.Sink {
        @Override
        public void send(ChannelMessage message) {
            VmbusServer.this.send(message);
        }

        @Override
        public long grant(int handle, long[] gpns) {
            return requests.grant(handle, gpns);
        }

        @Override
        public void release(GuestMemoryView view) {
            releaseView(view);
        }

        @Override
        public boolean channelOpen(int relid) {
            Offer o = channels.offers().get(relid);
            return o != null && (o.state instanceof ChannelState.Open || o.state instanceof ChannelState.Opening);
        }
    }

    // ---- save and restore --------------------------------------------------------------------

    /**
     * Freezes the connection and returns its whole state (never refused, whatever the guest was in
     * the middle of): every channel is paused at a packet boundary, nothing more reaches the guest,
     * completions of running requests are held. Then the caller either discards the server
     * ({@link #close}) or resumes it ({@link #resume}). The caller keeps the guest's VPs suspended.
     * A channel whose device does not return to a packet boundary within 2 s is saved as closing; one
     * already closing is saved as closing at once (its last turn waits for this lock to tell the server).
     */
    public synchronized VmbusServerState snapshot() {
        frozen = true;
        requests.hold();
        return ServerSnapshots.capture(this, PAUSE_NANOS);
    }

    /** Ends a {@link #snapshot}'s freeze: held completions run, channels resume, held messages go out. */
    public synchronized void resume() {
        if (!frozen) {
            return;
        }
        frozen = false;
        requests.runHeld();
        channels.offers().values().forEach(o -> {
            if (o.state instanceof ChannelState.Open open) {
                open.channel().resume();
            } else if (o.state instanceof ChannelState.Closing c && c.channel() != null) {
                c.channel().resume();
            }
        });
        if (queues.blocked()) {
            effects.retryLater();
        } else {
            flush();
        }
    }

    /**
     * Rebuilds a saved connection on this fresh server (no INITIATE_CONTACT seen, its devices added; a
     * rescinded offer needs none, as its device was removed):
     * offers get their signal paths under the same relids, created GPADLs are granted again, open
     * channels get their rings back as they are in guest memory and are re-opened on their devices;
     * requests that were running (grants, opens) start again and answer the guest when they
     * complete; closes that were running complete now; undelivered messages go out. Nothing else is
     * sent. On failure the server is left closed.
     *
     * @throws IllegalStateException when the server is not fresh, or the state does not fit it
     *     (unknown device, connection id, pages not granted, ...)
     */
    public synchronized void restore(VmbusServerState state) {
        ServerSnapshots.restore(this, state);
    }

    // ---- what ServerSnapshots reaches --------------------------------------------------------

    ServerEffects effects() {
        return effects;
    }

    ServerConfig config() {
        return config;
    }

    GuestErrorLog errors() {
        return errors;
    }

    Gpadls gpadls() {
        return gpadls;
    }

    ChannelTable channels() {
        return channels;
    }

    ControlQueues queues() {
        return queues;
    }

    List<VmbusDeviceClass> devices() {
        return devices;
    }

    ConnectionState connection() {
        return connection;
    }

    void connection(ConnectionState state) {
        connection = state;
    }

    // ---- queries -----------------------------------------------------------------------------

    /** The agreed version while connected. */
    public synchronized Optional<VmbusVersion> version() {
        return connection instanceof Connected c ? Optional.of(c.version()) : Optional.empty();
    }

    /** The open channel on {@code relid}, if any. */
    public Optional<ServerChannel> channel(int relid) {
        return channels.channel(relid);
    }

    public synchronized List<Integer> offeredRelids() {
        return List.copyOf(channels.offers().keySet());
    }

    public synchronized int gpadlCount() {
        return gpadls.count();
    }

    /** PFN slots held by GPADLs still being assembled (bounded by the config). */
    public synchronized long pendingPfnSlots() {
        return gpadls.pendingPfnSlots();
    }

    /** Guest-caused errors seen, counting the ones the rate limit kept out of the log. */
    public long guestErrorCount() {
        return errors.total();
    }
}
