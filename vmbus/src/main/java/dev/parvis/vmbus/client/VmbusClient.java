package dev.parvis.vmbus.client;

import dev.parvis.abi.vmbus.AllOffersDelivered;
import dev.parvis.abi.vmbus.ChannelMessage;
import dev.parvis.abi.vmbus.GpaRange;
import dev.parvis.abi.vmbus.GpadlBody;
import dev.parvis.abi.vmbus.GpadlCreated;
import dev.parvis.abi.vmbus.GpadlHeader;
import dev.parvis.abi.vmbus.GpadlTeardown;
import dev.parvis.abi.vmbus.GpadlTorndown;
import dev.parvis.abi.vmbus.InitiateContact;
import dev.parvis.abi.vmbus.MalformedChannelMessageException;
import dev.parvis.abi.vmbus.OfferChannel;
import dev.parvis.abi.vmbus.OpenChannel;
import dev.parvis.abi.vmbus.OpenChannelResult;
import dev.parvis.abi.vmbus.RequestOffers;
import dev.parvis.abi.vmbus.RescindChannelOffer;
import dev.parvis.abi.vmbus.Unload;
import dev.parvis.abi.vmbus.UnloadResponse;
import dev.parvis.abi.vmbus.VersionResponse;
import dev.parvis.abi.vmbus.VmbusConstants;
import dev.parvis.abi.vmbus.VmbusVersion;
import dev.parvis.vmbus.ring.RingBuffer;
import dev.parvis.vmbus.ring.RingMemory;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * A VMBus client (the guest's side) over a {@link ClientTransport}: negotiates newest version
 * first, collects offers, builds GPADLs from header and body messages, opens channels whose two
 * rings live in one GPADL, unloads. Operations block until the host's answer or the timeout.
 * Host-to-guest messages are kept in a bounded inbox that {@link #await} searches, so tests can
 * also drive the protocol by hand with {@link #post} and {@link #postRaw}.
 */
public final class VmbusClient implements ClientTransport.Receiver {
    /** Versions tried by {@link #connect()}, newest first (Linux's order below 6.0). */
    public static final List<VmbusVersion> VERSIONS = List.of(VmbusVersion.WIN10_V5_3, VmbusVersion.WIN10_V5_2,
            VmbusVersion.WIN10_V5_1, VmbusVersion.WIN10_V5, VmbusVersion.WIN10_V4_1, VmbusVersion.WIN10,
            VmbusVersion.WIN8_1, VmbusVersion.WIN8);
    private static final int INBOX_LIMIT = 4096;
    private static final int FIRST_GPADL = 0xE1E10;

    private final ClientTransport transport;
    private final GuestPageAllocator memory;
    private final long timeoutNanos;
    private final ArrayDeque<ChannelMessage> inbox = new ArrayDeque<>();
    private final List<OfferChannel> offers = new ArrayList<>();
    private final List<Integer> rescinded = new ArrayList<>();
    private final Map<Integer, ClientChannel> channels = new ConcurrentHashMap<>();
    private long droppedMessages;
    private long malformedMessages;
    private int nextGpadl = FIRST_GPADL;
    private volatile int messageConnectionId = VmbusConstants.MESSAGE_CONNECTION_ID;
    private volatile VmbusVersion version;

    public VmbusClient(ClientTransport transport, GuestPageAllocator memory, Duration timeout) {
        this.transport = transport;
        this.memory = memory;
        this.timeoutNanos = timeout.toNanos();
        transport.attach(this);
    }

    // ---- receive -----------------------------------------------------------------------------

    @Override
    public void onMessage(MemorySegment message, int length) {
        ChannelMessage m;
        try {
            m = ChannelMessage.parse(message, length);
        } catch (MalformedChannelMessageException e) {
            synchronized (this) {
                malformedMessages++;
            }
            return;
        }
        synchronized (this) {
            switch (m) {
                case OfferChannel o -> offers.add(o);
                case RescindChannelOffer r -> rescinded.add(r.childRelid());
                default -> {
                }
            }
            if (inbox.size() >= INBOX_LIMIT) {
                inbox.removeFirst();
                droppedMessages++;
            }
            inbox.addLast(m);
            notifyAll();
        }
    }

    @Override
    public void onChannelSignal(int relid) {
        ClientChannel channel = channels.get(relid);
        if (channel != null) {
            channel.onSignal();
        }
    }

    /** Removes and returns the first inbox message matching {@code match}, waiting up to the timeout. */
    public synchronized <T extends ChannelMessage> T await(Class<T> type, Predicate<? super T> match)
            throws VmbusClientException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            for (Iterator<ChannelMessage> it = inbox.iterator(); it.hasNext(); ) {
                ChannelMessage m = it.next();
                if (type.isInstance(m) && match.test(type.cast(m))) {
                    it.remove();
                    return type.cast(m);
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new VmbusClientException("no " + type.getSimpleName() + " from the host in time");
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VmbusClientException("interrupted waiting for " + type.getSimpleName());
            }
        }
    }

    /** Like {@link #await} but returns empty instead of failing when nothing matches within {@code wait}. */
    public synchronized <T extends ChannelMessage> Optional<T> poll(Class<T> type, Predicate<? super T> match,
                                                                   Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            for (Iterator<ChannelMessage> it = inbox.iterator(); it.hasNext(); ) {
                ChannelMessage m = it.next();
                if (type.isInstance(m) && match.test(type.cast(m))) {
                    it.remove();
                    return Optional.of(type.cast(m));
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
    }

    /** Drops every message waiting in the inbox. */
    public synchronized void clearInbox() {
        inbox.clear();
    }

    public synchronized long droppedMessages() {
        return droppedMessages;
    }

    // ---- send --------------------------------------------------------------------------------

    /** Posts {@code message} on the current message connection id. */
    public void post(ChannelMessage message) {
        byte[] bytes = message.toBytes();
        transport.postMessage(messageConnectionId, MemorySegment.ofArray(bytes), bytes.length);
    }

    /** Posts raw bytes on the current message connection id (hostile-input tests). */
    public void postRaw(MemorySegment message, int length) {
        transport.postMessage(messageConnectionId, message, length);
    }

    // ---- connect, offers, unload -------------------------------------------------------------

    /** Negotiates the newest version of {@link #VERSIONS} the host accepts. */
    public VmbusVersion connect() throws VmbusClientException {
        return connect(VERSIONS);
    }

    /** Tries {@code versions} in order until the host answers version_supported = 1. */
    public VmbusVersion connect(List<VmbusVersion> versions) throws VmbusClientException {
        for (VmbusVersion v : versions) {
            if (tryVersion(v)) {
                return v;
            }
        }
        throw new VmbusClientException("the host refused every version of " + versions);
    }

    /** One INITIATE_CONTACT for {@code v}; true when the host accepted it. */
    public boolean tryVersion(VmbusVersion v) throws VmbusClientException {
        boolean modern = v.isAtLeast(VmbusVersion.WIN10_V5);
        long interruptPage = modern ? InitiateContact.interruptPageForSint(VmbusConstants.MESSAGE_SINT, 0) : 0;
        byte[] bytes = new InitiateContact(v, 0, interruptPage, 0, 0).toBytes();
        synchronized (this) {
            inbox.removeIf(m -> m instanceof VersionResponse); // stale answers must not pass for this one
        }
        transport.postMessage(modern ? VmbusConstants.MESSAGE_CONNECTION_ID_4 : VmbusConstants.MESSAGE_CONNECTION_ID,
                MemorySegment.ofArray(bytes), bytes.length);
        VersionResponse r = await(VersionResponse.class, x -> true);
        if (!r.versionSupported()) {
            return false;
        }
        messageConnectionId = modern ? r.messageConnectionId() : VmbusConstants.MESSAGE_CONNECTION_ID;
        version = v;
        return true;
    }

    public Optional<VmbusVersion> version() {
        return Optional.ofNullable(version);
    }

    /** REQUEST_OFFERS, then every OFFER_CHANNEL up to ALL_OFFERS_DELIVERED. */
    public List<OfferChannel> requestOffers() throws VmbusClientException {
        synchronized (this) {
            offers.clear();
        }
        post(new RequestOffers());
        await(AllOffersDelivered.class, x -> true);
        synchronized (this) {
            inbox.removeIf(m -> m instanceof OfferChannel);
            return List.copyOf(offers);
        }
    }

    public synchronized List<OfferChannel> offers() {
        return List.copyOf(offers);
    }

    public synchronized List<Integer> rescindedRelids() {
        return List.copyOf(rescinded);
    }

    /** UNLOAD and wait for UNLOAD_RESPONSE; every channel of this client is forgotten. */
    public void unload() throws VmbusClientException {
        post(new Unload());
        await(UnloadResponse.class, x -> true);
        channels.values().forEach(ClientChannel::forget);
        channels.clear();
        messageConnectionId = VmbusConstants.MESSAGE_CONNECTION_ID;
        version = null;
    }

    // ---- GPADLs ------------------------------------------------------------------------------

    public synchronized int nextGpadlHandle() {
        return nextGpadl++;
    }

    /** A GPADL over whole {@code pages}; returns its handle once the host created it. */
    public int createGpadl(int relid, GuestPages pages) throws VmbusClientException {
        return createGpadl(relid, nextGpadlHandle(), pages.gpns(), 0, pages.pageCount() * RingMemory.PAGE_SIZE);
    }

    /**
     * Sends GPADL_HEADER (first 26 PFNs) and GPADL_BODY messages (28 PFNs each) for one range and
     * waits for GPADL_CREATED.
     *
     * @throws VmbusClientException with the host's creation_status when it refused
     */
    public int createGpadl(int relid, int handle, long[] pfns, int byteOffset, int byteCount)
            throws VmbusClientException {
        sendGpadl(relid, handle, pfns, byteOffset, byteCount, pfns.length);
        GpadlCreated created = await(GpadlCreated.class, c -> c.gpadl() == handle);
        if (created.creationStatus() != VmbusConstants.STATUS_SUCCESS) {
            throw new VmbusClientException("GPADL 0x" + Integer.toHexString(handle) + " refused",
                    created.creationStatus());
        }
        return handle;
    }

    /** Sends the header and the bodies carrying the first {@code pfnsToSend} PFNs; waits for nothing. */
    public void sendGpadl(int relid, int handle, long[] pfns, int byteOffset, int byteCount, int pfnsToSend) {
        GpaRange range = new GpaRange(byteCount, byteOffset);
        MemorySegment buffer = MemorySegment.ofArray(new byte[VmbusConstants.MAX_MESSAGE_SIZE]);
        GpadlHeader.forRange(relid, handle, range).write(buffer);
        int first = Math.min(pfnsToSend, VmbusConstants.MAX_GPADL_HEADER_PFNS);
        int length = GpadlHeader.writeRange(buffer, range, Arrays.copyOf(pfns, first));
        postRaw(buffer, length);
        int message = 0;
        for (int at = first; at < pfnsToSend; at += VmbusConstants.MAX_GPADL_BODY_PFNS) {
            int n = Math.min(VmbusConstants.MAX_GPADL_BODY_PFNS, pfnsToSend - at);
            buffer.fill((byte) 0);
            new GpadlBody(++message, handle).write(buffer);
            length = GpadlBody.writePfns(buffer, Arrays.copyOfRange(pfns, at, at + n));
            postRaw(buffer, length);
        }
    }

    /** GPADL_TEARDOWN and wait for GPADL_TORNDOWN. */
    public void teardownGpadl(int relid, int handle) throws VmbusClientException {
        post(new GpadlTeardown(relid, handle));
        await(GpadlTorndown.class, t -> t.gpadl() == handle);
    }

    // ---- channels ----------------------------------------------------------------------------

    /**
     * Opens {@code offer}'s channel with a guest-to-host ring of {@code outboundPages} and a
     * host-to-guest ring of {@code inboundPages} (control page included in each): allocates the
     * pages, creates their GPADL, initializes both rings, sends OPEN_CHANNEL and waits for the result.
     */
    public ClientChannel open(OfferChannel offer, int outboundPages, int inboundPages) throws VmbusClientException {
        int relid = offer.childRelid();
        GuestPages pages = memory.allocate(outboundPages + inboundPages);
        int handle;
        try {
            handle = createGpadl(relid, pages);
        } catch (VmbusClientException e) {
            pages.close();
            throw e;
        }
        RingMemory outbound = ringMemory(pages, 0, outboundPages);
        RingMemory inbound = ringMemory(pages, outboundPages, inboundPages);
        RingBuffer.initialize(outbound);
        RingBuffer.initialize(inbound);
        ClientChannel channel = new ClientChannel(this, transport, offer, handle, pages, new RingBuffer(outbound),
                new RingBuffer(inbound), timeoutNanos);
        channels.put(relid, channel);
        post(new OpenChannel(relid, relid, handle, 0, outboundPages, null));
        OpenChannelResult result = await(OpenChannelResult.class, r -> r.childRelid() == relid);
        if (result.status() != VmbusConstants.STATUS_SUCCESS) {
            channels.remove(relid, channel);
            teardownGpadl(relid, handle);
            pages.close();
            throw new VmbusClientException("OPEN_CHANNEL of relid " + relid + " refused", result.status());
        }
        return channel;
    }

    void channelClosed(ClientChannel channel) {
        channels.remove(channel.relid(), channel);
    }

    private static RingMemory ringMemory(GuestPages pages, int first, int count) {
        MemorySegment contiguous = pages.contiguous();
        if (contiguous != null) {
            return RingMemory.flat(contiguous.asSlice((long) first * RingMemory.PAGE_SIZE,
                    (long) count * RingMemory.PAGE_SIZE));
        }
        MemorySegment[] segments = new MemorySegment[count];
        for (int i = 0; i < count; i++) {
            segments[i] = pages.page(first + i);
        }
        return RingMemory.pages(segments);
    }
}
