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

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The VMBus server for one child connection (hyperv-abi-vmbus.md section 6): version negotiation,
 * offers, GPADLs, open/close, rescind, unload. It does no I/O: the root feeds it the guest's
 * control messages ({@link #onMessage}) and channel signals ({@link #onChannelSignal}), and it
 * acts only through {@link ServerEffects}.
 *
 * <p>Threading: control operations ({@link #onMessage}, {@link #addDevice}, {@link #rescind} and
 * the queries) are meant for one thread, the root's message loop for this child, and are
 * serialized by the server's monitor, which also guards the callbacks from channel workers when
 * a channel stops. {@link #onChannelSignal} takes no lock: it wakes the channel's worker. Each open
 * channel's data path is described in {@link ServerChannel}. No guest input makes onMessage throw:
 * malformed or ill-timed messages get the published error answer where one exists and a
 * rate-limited log line.
 */
public final class VmbusServer {
    /** Versions this server speaks (docs/vmbus.md). */
    public static final Set<VmbusVersion> SUPPORTED_VERSIONS = Set.of(VmbusVersion.WIN10, VmbusVersion.WIN10_V4_1,
            VmbusVersion.WIN10_V5, VmbusVersion.WIN10_V5_1, VmbusVersion.WIN10_V5_2, VmbusVersion.WIN10_V5_3);
    /** msg_conn_id answered to 5.0+ guests. */
    public static final int MESSAGE_CONNECTION_ID = VmbusConstants.MESSAGE_CONNECTION_ID;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int SINT_COUNT = 16;

    private final ServerEffects effects;
    private final ServerConfig config;
    private final GuestErrorLog errors;
    private final Gpadls gpadls;
    private final List<VmbusDeviceClass> devices = new ArrayList<>();
    private final TreeMap<Integer, Offer> offers = new TreeMap<>();
    private final AtomicReferenceArray<ServerChannel> live = new AtomicReferenceArray<>(VmbusConstants.MAX_CHANNELS);
    private final ControlQueues queues;
    private ConnectionState connection = new Disconnected();
    /** Receive-buffer bytes of the open channels, bounded by {@code limits.maxReceiveBytes()}. */
    private long receiveBytes;
    private long droppedAfterFailure;

    public VmbusServer(ServerEffects effects, ServerConfig config) {
        this.effects = effects;
        this.config = config;
        this.errors = new GuestErrorLog(effects, "vmbus: ", config.logBurst(), config.logPerSecond());
        this.gpadls = new Gpadls(effects, errors, config.maxGpadls(), config.maxPendingGpadls());
        this.queues = new ControlQueues(config.limits());
    }

    /** Registers a device; offered at the next REQUEST_OFFERS, or at once if offers were already sent. */
    public synchronized void addDevice(VmbusDeviceClass device) {
        devices.add(device);
        if (connection instanceof Connected c && c.offersSent()) {
            offer(device, c.target());
        }
    }

    /**
     * One control message from the guest, {@code length} bytes of {@code message}. Held back (copied)
     * while answers to the guest wait for room in its queue; a guest that goes on posting while it
     * ignores its answers has its connection failed. No guest input makes this throw.
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
        if (queues.blocked() || queues.hasDeferred()) {
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
            case InitiateContact c -> onInitiateContact(c);
            case RequestOffers r -> onRequestOffers();
            case GpadlHeader h -> whenConnected(h, c -> gpadls.onHeader(h, raw, length, offers::containsKey));
            case GpadlBody b -> whenConnected(b, c -> gpadls.onBody(b, raw, length));
            case GpadlTeardown t -> whenConnected(t, c -> gpadls.onTeardown(t.childRelid(), t.gpadl()));
            case OpenChannel o -> whenConnected(o, c -> onOpenChannel(o, c));
            case CloseChannel cl -> whenConnected(cl, c -> onCloseChannel(cl.childRelid()));
            case RelidReleased r -> whenConnected(r, c -> onRelidReleased(r.childRelid()));
            case ModifyChannel mc -> whenConnected(mc, c -> onModifyChannel(mc, c));
            case Unload u -> onUnload();
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

    /**
     * Delivers the messages the guest's queue refused earlier, in order, then processes the guest
     * messages held back meanwhile; stops at the first refusal and asks for another retry. Called by
     * the host after {@link ServerEffects#retryLater}; never throws.
     */
    public synchronized void flush() {
        while (true) {
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

    /** Sends {@code message}, or queues it behind earlier undelivered ones. */
    private void send(ChannelMessage message, GuestTarget target) {
        if (!queues.blocked() && effects.sendMessage(message, target)) {
            return;
        }
        if (!queues.hold(new ControlQueues.Outgoing(message, target))) {
            fail(queues.pendingCount() + " messages for the guest are undelivered: it does not read its SINT queue");
            return;
        }
        if (queues.pendingCount() == 1) {
            effects.retryLater();
        }
    }

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
        teardownAll("connection failed: " + reason);
        connection = new ConnectionState.Failed(reason);
    }

    /**
     * Whether answers wait for room in the guest's queue. Guest messages are then held back; a
     * transport that serves only this child (the loopback) stops feeding them meanwhile, as a
     * hypervisor port whose queue is full refuses further posts.
     */
    public synchronized boolean blockedOnGuest() {
        return queues.blocked();
    }

    /** Why the connection failed, if it did. */
    public synchronized Optional<String> failure() {
        return connection instanceof ConnectionState.Failed f ? Optional.of(f.reason()) : Optional.empty();
    }

    /** Closes every channel and releases every offer's signal path and every GPADL; no message to the guest. */
    private void teardownAll(String reason) {
        for (Offer o : offers.values()) {
            if (o.state instanceof ChannelState.Open open) {
                open.channel().requestClose(reason);
            }
            try {
                effects.releaseChannelSignal(o.relid);
            } catch (RuntimeException e) {
                effects.log("vmbus: releasing the signal path of relid " + o.relid + " failed: " + e);
            }
        }
        offers.clear();
        gpadls.clear();
        queues.clear();
    }

    private interface ConnectedHandler {
        ChannelMessage handle(Connected connection);
    }

    private void whenConnected(ChannelMessage m, ConnectedHandler handler) {
        if (!(connection instanceof Connected c)) {
            errors.report(typeOf(m) + " refused: no connection (INITIATE_CONTACT first)");
            return;
        }
        ChannelMessage answer = handler.handle(c);
        if (answer != null) {
            send(answer, c.target());
        }
    }

    private void wrongDirection(ChannelMessage m) {
        errors.report(typeOf(m) + " refused: a host-to-guest message");
    }

    private static String typeOf(ChannelMessage m) {
        return m.getClass().getSimpleName();
    }

    private void answerMalformed(MemorySegment raw, int length, String reason) {
        errors.report("malformed control message: " + reason);
        if (!(connection instanceof Connected c) || length < 8) {
            return;
        }
        ChannelMessageType type = new ChannelMessageType(raw.get(U32, 0));
        ChannelMessage answer = null;
        if (type.equals(ChannelMessageType.GPADL_HEADER) && length >= 16) {
            answer = gpadls.onMalformed(raw.get(U32, 8), raw.get(U32, 12), reason);
        } else if (type.equals(ChannelMessageType.GPADL_BODY) && length >= 16) {
            answer = gpadls.onMalformed(0, raw.get(U32, 12), reason);
        } else if (type.equals(ChannelMessageType.OPEN_CHANNEL) && length >= 16) {
            answer = new OpenChannelResult(raw.get(U32, 8), raw.get(U32, 12), VmbusConstants.STATUS_UNSUCCESSFUL);
        }
        if (answer != null) {
            send(answer, c.target());
        }
    }

    // ---- connect, offers, unload -------------------------------------------------------------

    private void onInitiateContact(InitiateContact c) {
        VmbusVersion version = c.versionRequested();
        boolean modern = version.isAtLeast(VmbusVersion.WIN10_V5);
        int sint = modern ? c.messageSint() & 0xFF : VmbusConstants.MESSAGE_SINT;
        int vp = version.isAtLeast(VmbusVersion.WIN8_1) ? c.targetVcpu() : 0;
        boolean targetValid = vp >= 0 && vp < config.vpCount() && sint < SINT_COUNT;
        GuestTarget target = targetValid ? new GuestTarget(vp, sint) : new GuestTarget(0, VmbusConstants.MESSAGE_SINT);
        if (connection instanceof Connected) {
            errors.report("INITIATE_CONTACT for " + version + " refused: already connected (UNLOAD first)");
            send(VersionResponse.unsupported(), target);
            return;
        }
        if (!SUPPORTED_VERSIONS.contains(version) || !targetValid) {
            send(VersionResponse.unsupported(), target);
            return;
        }
        connection = new Connected(version, target, false);
        send(VersionResponse.supported(modern ? MESSAGE_CONNECTION_ID : 0), target);
    }

    private void onRequestOffers() {
        if (!(connection instanceof Connected c)) {
            errors.report("REQUEST_OFFERS refused: no connection");
            return;
        }
        if (c.offersSent()) {
            errors.report("second REQUEST_OFFERS ignored");
            return;
        }
        connection = c.withOffersSent();
        for (VmbusDeviceClass device : devices) {
            offer(device, c.target());
        }
        send(new AllOffersDelivered(), c.target());
    }

    private void offer(VmbusDeviceClass device, GuestTarget target) {
        int relid = 1;
        while (offers.containsKey(relid)) {
            relid++;
        }
        if (relid >= VmbusConstants.MAX_CHANNELS) {
            effects.log("vmbus: no relid left for " + device.interfaceType() + "/" + device.instance());
            return;
        }
        int connectionId = effects.createChannelSignal(relid);
        Offer o = new Offer(relid, device, connectionId);
        offers.put(relid, o);
        send(new OfferChannel(device.interfaceType(), device.instance(), device.offerFlags(),
                device.mmioMegabytes(), device.userDefined(), (short) 0, relid,
                (byte) VmbusConstants.MONITOR_ID_NONE, false, true, connectionId), target);
    }

    private void onUnload() {
        if (!(connection instanceof Connected c)) {
            errors.report("UNLOAD without a connection");
            send(new UnloadResponse(), new GuestTarget(0, VmbusConstants.MESSAGE_SINT));
            return;
        }
        teardownAll("guest unloaded");
        connection = new Disconnected();
        send(new UnloadResponse(), c.target());
    }

    /**
     * Ends the connection from the host side (the partition is going away): every open channel
     * closes, every signal path is released and every GPADL view is closed. Nothing is sent to the
     * guest. The server accepts a new INITIATE_CONTACT afterwards.
     */
    public synchronized void close() {
        teardownAll("host closed the connection");
        connection = new Disconnected();
    }

    /**
     * Hot-removes channel {@code relid}: sends RESCIND_CHANNEL_OFFER and closes the channel; the
     * relid is reused only after the guest's RELID_RELEASED. The device is unregistered.
     *
     * @return false when no such offer is live on the connection
     */
    public synchronized boolean rescind(int relid) {
        Offer o = offers.get(relid);
        if (!(connection instanceof Connected c) || o == null || o.state instanceof ChannelState.Rescinded) {
            return false;
        }
        devices.remove(o.device);
        if (o.state instanceof ChannelState.Open open) {
            open.channel().requestClose("rescinded");
        }
        o.state = new ChannelState.Rescinded();
        send(new RescindChannelOffer(relid), c.target());
        return true;
    }

    private ChannelMessage onRelidReleased(int relid) {
        Offer o = offers.get(relid);
        if (o == null || !(o.state instanceof ChannelState.Rescinded)) {
            errors.report("RELID_RELEASED for relid " + relid + " that was not rescinded");
            return null;
        }
        offers.remove(relid);
        effects.releaseChannelSignal(relid);
        return null;
    }

    // ---- channels ----------------------------------------------------------------------------

    private ChannelMessage onOpenChannel(OpenChannel m, Connected c) {
        Offer o = offers.get(m.childRelid());
        String refusal = openRefusal(m, o);
        if (refusal != null) {
            errors.report("OPEN_CHANNEL of relid " + m.childRelid() + " refused: " + refusal);
            return new OpenChannelResult(m.childRelid(), m.openId(), VmbusConstants.STATUS_UNSUCCESSFUL);
        }
        ChannelOpening.Opened opened;
        try {
            opened = ChannelOpening.open(this, effects, errors, config, o, m.downstreamRingBufferPageOffset(),
                    m.targetVp(), gpadls.available(m.ringBufferGpadlHandle()));
        } catch (RuntimeException e) {
            errors.report("OPEN_CHANNEL of relid " + m.childRelid() + " refused: " + e.getMessage());
            return new OpenChannelResult(m.childRelid(), m.openId(), VmbusConstants.STATUS_UNSUCCESSFUL);
        }
        receiveBytes += opened.channel().receiveBufferBytes();
        gpadls.markInUse(m.ringBufferGpadlHandle(), opened.channel());
        o.state = new ChannelState.Open(m.openId(), m.ringBufferGpadlHandle(), m.downstreamRingBufferPageOffset(),
                m.targetVp(), m.userData(), opened.channel());
        live.set(o.relid, opened.channel());
        send(new OpenChannelResult(m.childRelid(), m.openId(), VmbusConstants.STATUS_SUCCESS), c.target());
        opened.channel().start(opened.handler());
        return null;
    }

    /** Why {@code m} cannot open {@code o} now: the protocol checks, aliased ring pages, the receive-buffer budget. */
    private String openRefusal(OpenChannel m, Offer o) {
        String refusal = ChannelOpening.check(m, o, gpadls, config.vpCount(), ringPagesInUse());
        if (refusal != null) {
            return refusal;
        }
        long buffer = ChannelOpening.receiveBufferBytes(o, gpadls.available(m.ringBufferGpadlHandle()),
                m.downstreamRingBufferPageOffset());
        if (receiveBytes + buffer > config.limits().maxReceiveBytes()) {
            return "receive buffers of the open channels would reach " + (receiveBytes + buffer)
                    + " bytes (limit " + config.limits().maxReceiveBytes() + ")";
        }
        return null;
    }

    /** Every page that is a ring page of an open channel. */
    private Set<Long> ringPagesInUse() {
        Set<Long> pages = new java.util.HashSet<>();
        for (Offer o : offers.values()) {
            if (o.state instanceof ChannelState.Open open) {
                for (long gpn : gpadls.gpns(open.gpadl())) {
                    pages.add(gpn);
                }
            }
        }
        return pages;
    }

    private ChannelMessage onCloseChannel(int relid) {
        Offer o = offers.get(relid);
        if (o == null || !(o.state instanceof ChannelState.Open open)) {
            errors.report("CLOSE_CHANNEL of relid " + relid + " that is not open");
            return null;
        }
        open.channel().requestClose("closed by the guest");
        o.state = new ChannelState.Offered();
        return null;
    }

    private ChannelMessage onModifyChannel(ModifyChannel m, Connected c) {
        Offer o = offers.get(m.childRelid());
        int status = VmbusConstants.STATUS_SUCCESS;
        if (o == null || !(o.state instanceof ChannelState.Open open)) {
            errors.report("MODIFY_CHANNEL of relid " + m.childRelid() + " that is not open");
            status = VmbusConstants.STATUS_UNSUCCESSFUL;
        } else if (m.targetVp() < 0 || m.targetVp() >= config.vpCount()) {
            errors.report("MODIFY_CHANNEL of relid " + m.childRelid() + " to VP " + m.targetVp());
            status = VmbusConstants.STATUS_UNSUCCESSFUL;
        } else {
            o.state = open.withTargetVp(m.targetVp());
            open.channel().setTargetVp(m.targetVp());
        }
        return c.version().isAtLeast(VmbusVersion.WIN10_V5_3) ? new ModifyChannelResponse(m.childRelid(), status) : null;
    }

    /** A channel's worker stopped (any reason): forget it, free its GPADL. Called on the worker thread. */
    synchronized void channelTerminated(ServerChannel channel, String reason) {
        receiveBytes -= channel.receiveBufferBytes();
        live.compareAndSet(channel.relid(), channel, null);
        Offer o = offers.get(channel.relid());
        if (o != null && o.state instanceof ChannelState.Open open && open.channel() == channel) {
            o.state = new ChannelState.Offered();
        }
        ChannelMessage torndown = gpadls.release(channel);
        if (torndown != null && connection instanceof Connected c) {
            send(torndown, c.target());
        }
    }

    /** The guest signalled channel {@code relid}. Any thread; no lock. */
    public void onChannelSignal(int relid) {
        ServerChannel channel = relid > 0 && relid < VmbusConstants.MAX_CHANNELS ? live.get(relid) : null;
        if (channel != null) {
            channel.onGuestSignal();
        } else {
            errors.report("signal for relid " + relid + " that is not open");
        }
    }

    // ---- save and restore --------------------------------------------------------------------

    /**
     * The connection's state for a saved VM: version, message target, offers, created GPADLs (with
     * their guest pages) and open channels. The rings are not copied: they are in guest memory.
     * The caller keeps the guest from talking to the server meanwhile: the partition is suspended
     * (or not yet finalized). Refused, with the reason, while the connection is between steady
     * states: a GPADL half-assembled or being torn down, a channel closing, a relid rescinded but
     * not yet released. Such states pass once the guest or the channel worker finishes them; the
     * caller retries or reports.
     *
     * @throws SnapshotRefusedException when the connection is in such a transient state
     */
    public synchronized VmbusServerState snapshot() {
        if (connection instanceof ConnectionState.Failed f) {
            throw new SnapshotRefusedException("the connection failed: " + f.reason());
        }
        if (queues.blocked() || queues.hasDeferred()) {
            throw new SnapshotRefusedException(queues.pendingCount() + " messages wait for the guest's queue");
        }
        for (int relid = 1; relid < VmbusConstants.MAX_CHANNELS; relid++) {
            ServerChannel ch = live.get(relid);
            if (ch != null && !(offers.get(relid) != null && offers.get(relid).state instanceof ChannelState.Open open
                    && open.channel() == ch && ch.isOpen())) {
                throw new SnapshotRefusedException("channel " + relid + " is closing");
            }
        }
        if (!(connection instanceof Connected c)) {
            if (!offers.isEmpty() || gpadls.count() > 0) {
                throw new SnapshotRefusedException("the connection is being torn down");
            }
            return new VmbusServerState(0, 0, 0, false, List.of(), List.of(), List.of());
        }
        List<VmbusServerState.OfferEntry> offerEntries = new ArrayList<>();
        List<VmbusServerState.ChannelEntry> channelEntries = new ArrayList<>();
        for (Offer o : offers.values()) {
            switch (o.state) {
                case ChannelState.Rescinded r ->
                        throw new SnapshotRefusedException("relid " + o.relid + " is rescinded and not yet released by the guest");
                case ChannelState.Open open -> {
                    if (!open.channel().isOpen()) {
                        throw new SnapshotRefusedException("channel " + o.relid + " is closing");
                    }
                    channelEntries.add(new VmbusServerState.ChannelEntry(o.relid, open.openId(), open.gpadl(),
                            open.downstreamPageOffset(), open.targetVp(), open.userData()));
                }
                case ChannelState.Offered x -> { }
            }
            offerEntries.add(new VmbusServerState.OfferEntry(o.relid, o.device.interfaceType(), o.device.instance(),
                    o.connectionId));
        }
        List<VmbusServerState.GpadlEntry> gpadlEntries = new ArrayList<>();
        for (var e : gpadls.all().entrySet()) {
            String handle = "GPADL 0x" + Integer.toHexString(e.getKey());
            switch (e.getValue()) {
                case GpadlState.Assembling a -> throw new SnapshotRefusedException(handle + " is half-assembled ("
                        + a.filled() + " of " + a.pfns().length + " pages received)");
                case GpadlState.Created cr -> {
                    if (cr.teardownRequested()) {
                        throw new SnapshotRefusedException(handle + " is being torn down");
                    }
                    if (cr.user() != null && channelEntries.stream().noneMatch(ch -> ch.ringGpadl() == e.getKey())) {
                        throw new SnapshotRefusedException(handle + " is still used by closing channel " + cr.user().relid());
                    }
                    gpadlEntries.add(new VmbusServerState.GpadlEntry(e.getKey(), cr.relid(), cr.gpns(), cr.byteCount(),
                            cr.byteOffset()));
                }
            }
        }
        return new VmbusServerState(c.version().raw(), c.target().vp(), c.target().sint(), c.offersSent(), offerEntries,
                gpadlEntries, channelEntries);
    }

    /**
     * Rebuilds a saved connection on this fresh server (no INITIATE_CONTACT seen, its devices
     * added): the offers get their signal paths again under the same relids (so the guest's
     * connection ids stay valid), every GPADL's pages are granted again, and every open channel
     * gets its rings back over its GPADL as they are in guest memory (indices untouched) and is
     * re-opened on its device. Devices are matched by interface type and instance, in order.
     * Nothing is sent to the guest. On failure the server is left closed (as after {@link #close}).
     *
     * @throws IllegalStateException when the server is not fresh, or the state does not fit it
     *     (unknown device, connection id, pages not granted, ...)
     */
    public synchronized void restore(VmbusServerState state) {
        if (connection instanceof Connected || !offers.isEmpty() || gpadls.count() > 0) {
            throw new IllegalStateException("VMBus restore needs a fresh server");
        }
        if (!state.connected()) {
            if (!state.offers().isEmpty() || !state.gpadls().isEmpty() || !state.channels().isEmpty()) {
                throw new IllegalStateException("VMBus state without a connection holds offers, GPADLs or channels");
            }
            return;
        }
        List<ChannelState.Open> opened = new ArrayList<>();
        List<dev.parvis.vmbus.device.ChannelHandler> handlers = new ArrayList<>();
        try {
            VmbusVersion version = new VmbusVersion(state.version());
            if (!SUPPORTED_VERSIONS.contains(version)) {
                throw new IllegalArgumentException("version " + version + " is not supported");
            }
            if (state.targetVp() < 0 || state.targetVp() >= config.vpCount() || state.targetSint() < 0
                    || state.targetSint() >= SINT_COUNT) {
                throw new IllegalArgumentException("message target VP " + state.targetVp() + " SINT " + state.targetSint());
            }
            List<VmbusDeviceClass> unmatched = new ArrayList<>(devices);
            for (VmbusServerState.OfferEntry e : state.offers()) {
                if (e.relid() <= 0 || e.relid() >= VmbusConstants.MAX_CHANNELS || offers.containsKey(e.relid())) {
                    throw new IllegalArgumentException("offer relid " + e.relid());
                }
                VmbusDeviceClass device = unmatched.stream()
                        .filter(d -> d.interfaceType().equals(e.interfaceType()) && d.instance().equals(e.instance()))
                        .findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("no device " + e.interfaceType() + "/" + e.instance()
                                + " for relid " + e.relid()));
                unmatched.remove(device);
                int connectionId = effects.createChannelSignal(e.relid());
                offers.put(e.relid(), new Offer(e.relid(), device, connectionId));
                if (connectionId != e.connectionId()) {
                    throw new IllegalArgumentException("relid " + e.relid() + " got connection id 0x"
                            + Integer.toHexString(connectionId) + ", the guest has 0x" + Integer.toHexString(e.connectionId()));
                }
            }
            for (VmbusServerState.GpadlEntry g : state.gpadls()) {
                if (!offers.containsKey(g.relid())) {
                    throw new IllegalArgumentException("GPADL 0x" + Integer.toHexString(g.handle()) + " of unknown relid " + g.relid());
                }
                gpadls.restore(g.handle(), g.relid(), g.byteOffset(), g.byteCount(), g.gpns());
            }
            connection = new Connected(version, new GuestTarget(state.targetVp(), state.targetSint()), state.offersSent());
            for (VmbusServerState.ChannelEntry ch : state.channels()) {
                Offer o = offers.get(ch.relid());
                OpenChannel asOpened = new OpenChannel(ch.relid(), ch.openId(), ch.ringGpadl(), ch.targetVp(),
                        ch.downstreamPageOffset(), ch.userData());
                String refusal = openRefusal(asOpened, o);
                if (refusal != null) {
                    throw new IllegalArgumentException("channel " + ch.relid() + ": " + refusal);
                }
                GpadlState.Created gpadl = gpadls.available(ch.ringGpadl());
                ChannelOpening.Opened channel = ChannelOpening.open(this, effects, errors, config, o,
                        ch.downstreamPageOffset(), ch.targetVp(), gpadl);
                receiveBytes += channel.channel().receiveBufferBytes();
                gpadls.markInUse(ch.ringGpadl(), channel.channel());
                ChannelState.Open open = new ChannelState.Open(ch.openId(), ch.ringGpadl(), ch.downstreamPageOffset(),
                        ch.targetVp(), ch.userData(), channel.channel());
                o.state = open;
                live.set(o.relid, channel.channel());
                opened.add(open);
                handlers.add(channel.handler());
            }
        } catch (RuntimeException e) {
            for (int i = 0; i < opened.size(); i++) {
                ChannelState.Open open = opened.get(i);
                live.set(open.channel().relid(), null);
                receiveBytes -= open.channel().receiveBufferBytes();
                gpadls.markInUse(open.gpadl(), null);
                offers.get(open.channel().relid()).state = new ChannelState.Offered();
                try {
                    handlers.get(i).onClose();
                } catch (RuntimeException ignored) {
                    // The device's own cleanup; the restore fails anyway.
                }
            }
            close();
            throw new IllegalStateException("VMBus state cannot be restored: " + e.getMessage(), e);
        }
        for (int i = 0; i < opened.size(); i++) {
            opened.get(i).channel().start(handlers.get(i));
        }
    }

    // ---- queries -----------------------------------------------------------------------------

    /** The agreed version while connected. */
    public synchronized Optional<VmbusVersion> version() {
        return connection instanceof Connected c ? Optional.of(c.version()) : Optional.empty();
    }

    /** The open channel on {@code relid}, if any. */
    public Optional<ServerChannel> channel(int relid) {
        return relid > 0 && relid < VmbusConstants.MAX_CHANNELS ? Optional.ofNullable(live.get(relid)) : Optional.empty();
    }

    public synchronized List<Integer> offeredRelids() {
        return List.copyOf(offers.keySet());
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
