package dev.parvis.vmbus.client;

import dev.parvis.abi.vmbus.CloseChannel;
import dev.parvis.abi.vmbus.OfferChannel;
import dev.parvis.abi.vmbus.VmbusConstants;
import dev.parvis.vmbus.ring.IncomingPacket;
import dev.parvis.abi.vmbus.PacketType;
import dev.parvis.vmbus.ring.RingBuffer;
import dev.parvis.vmbus.ring.RingCorruptException;
import dev.parvis.vmbus.ring.RingMemory;
import dev.parvis.vmbus.ring.RingReader;
import dev.parvis.vmbus.ring.RingWriter;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An open channel on the guest's side: sends on the guest-to-host ring, receives from the
 * host-to-guest ring. Sends are serialized among themselves, receives among themselves; a send
 * and a receive may run on two threads at once (each ring direction has one owner). A full ring
 * or an empty one parks the caller until the host's signal or the timeout.
 */
public final class ClientChannel implements AutoCloseable {
    /** Ring checks between reads of the clock (and yields) while {@link #receivePolling} spins (a check is one load). */
    private static final int SPIN_CHECKS_PER_CLOCK = 32;
    private final VmbusClient client;
    private final ClientTransport transport;
    private final OfferChannel offer;
    private final int gpadl;
    private final GuestPages pages;
    private final RingBuffer outbound;
    private final RingBuffer inbound;
    private final RingWriter writer;
    private final RingReader reader;
    private final long timeoutNanos;
    private final ReentrantLock sendLock = new ReentrantLock();
    private final ReentrantLock receiveLock = new ReentrantLock();
    private final ReentrantLock signalLock = new ReentrantLock();
    private final Condition signalled = signalLock.newCondition();
    /** Host signals so far; written under signalLock, read without it (every send and receive reads it). */
    private volatile long signals;
    /** Whether the inbound ring's interrupt_mask is set by {@link #receivePolling}; under receiveLock. */
    private boolean masked;
    private volatile boolean closed;

    ClientChannel(VmbusClient client, ClientTransport transport, OfferChannel offer, int gpadl, GuestPages pages,
                  RingBuffer outbound, RingBuffer inbound, long timeoutNanos) {
        this.client = client;
        this.transport = transport;
        this.offer = offer;
        this.gpadl = gpadl;
        this.pages = pages;
        this.outbound = outbound;
        this.inbound = inbound;
        this.writer = outbound.writer();
        this.reader = inbound.reader();
        this.timeoutNanos = timeoutNanos;
    }

    public int relid() {
        return offer.childRelid();
    }

    public OfferChannel offer() {
        return offer;
    }

    public int gpadl() {
        return gpadl;
    }

    /** The ring pages, for tests that play a hostile guest. */
    public GuestPages pages() {
        return pages;
    }

    /** The guest-to-host ring's memory (the host reads it), for hostile-guest tests. */
    public RingMemory outboundMemory() {
        return outbound.memory();
    }

    public RingMemory inboundMemory() {
        return inbound.memory();
    }

    public int maxPayload() {
        return writer.maxPayload();
    }

    void onSignal() {
        signalLock.lock();
        try {
            signals++;
            signalled.signalAll();
        } finally {
            signalLock.unlock();
        }
    }

    private long signalCount() {
        return signals;
    }

    /** Parks until a signal after {@code seen} arrives or {@code deadline}; false on timeout. */
    private boolean awaitSignal(long seen, long deadline) throws VmbusClientException {
        signalLock.lock();
        try {
            while (signals == seen) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                signalled.awaitNanos(left);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VmbusClientException("interrupted");
        } finally {
            signalLock.unlock();
        }
    }

    /** Sends a DATA_INBAND packet, waiting for ring space up to the client's timeout. */
    public void sendInband(long transactionId, MemorySegment payload, boolean completionRequested)
            throws VmbusClientException {
        send(PacketType.DATA_INBAND, completionRequested ? VmbusConstants.PACKET_FLAG_COMPLETION_REQUESTED : 0,
                transactionId, null, payload);
    }

    /** Sends any packet type with a type-specific header (e.g. a GPA-direct range list). */
    public void send(PacketType type, int flags, long transactionId, MemorySegment typeHeader, MemorySegment payload)
            throws VmbusClientException {
        long deadline = System.nanoTime() + timeoutNanos;
        long size = RingWriter.packetSize(typeHeader == null ? 0 : typeHeader.byteSize(), payload.byteSize());
        boolean requested = false;
        sendLock.lock();
        try {
            while (true) {
                if (closed) {
                    throw new VmbusClientException("channel " + relid() + " is closed");
                }
                long seen = signalCount();
                switch (writer.write(type, flags, transactionId, typeHeader, payload)) {
                    case WRITTEN -> {
                        return;
                    }
                    case WRITTEN_SIGNAL -> {
                        transport.signalHost(offer.connectionId());
                        return;
                    }
                    case FULL -> {
                    }
                }
                if (!requested) {
                    requested = true;
                    if (writer.requestSpace((int) size)) {
                        continue;
                    }
                }
                if (!awaitSignal(seen, deadline)) {
                    throw new VmbusClientException("channel " + relid() + ": ring stayed full");
                }
            }
        } catch (RingCorruptException e) {
            throw new VmbusClientException("channel " + relid() + ": host corrupted the ring", e);
        } finally {
            if (requested) {
                writer.clearSpaceRequest();
            }
            sendLock.unlock();
        }
    }

    /**
     * Receives the next packet into {@code buffer}, waiting up to the client's timeout.
     *
     * @return the packet (slices of {@code buffer}), or null when none came in time
     */
    public IncomingPacket receive(MemorySegment buffer) throws VmbusClientException {
        long deadline = System.nanoTime() + timeoutNanos;
        receiveLock.lock();
        try {
            while (true) {
                if (closed) {
                    throw new VmbusClientException("channel " + relid() + " is closed");
                }
                long seen = signalCount();
                IncomingPacket packet = reader.read(buffer);
                if (packet != null) {
                    if (reader.commit()) {
                        transport.signalHost(offer.connectionId());
                    }
                    return packet;
                }
                if (reader.hasData()) {
                    continue;
                }
                if (masked) {
                    // Linux's hv_end_read: clear interrupt_mask, then look once more before waiting for a signal.
                    reader.setInterruptMask(false);
                    masked = false;
                    continue;
                }
                if (!awaitSignal(seen, deadline)) {
                    return null;
                }
            }
        } catch (RingCorruptException e) {
            throw new VmbusClientException("channel " + relid() + ": host corrupted the ring", e);
        } finally {
            receiveLock.unlock();
        }
    }

    /**
     * Receives the next packet, first looking at the ring for up to {@code spinNanos} with its
     * interrupt_mask set, as a polling driver does (Linux's hv_begin_read: the host need not signal a
     * reader that is looking, so neither side pays a wake-up while packets keep coming). The mask stays
     * set when a packet is returned; a {@link #receive} that finds the ring empty clears it and looks
     * once more before it waits, so no packet is left unsignalled. After a spin that found nothing it
     * is that {@link #receive}.
     *
     * @return the packet (slices of {@code buffer}), or null when none came in time
     */
    public IncomingPacket receivePolling(MemorySegment buffer, long spinNanos) throws VmbusClientException {
        receiveLock.lock();
        try {
            if (!masked) {
                reader.setInterruptMask(true);
                masked = true;
            }
            long end = System.nanoTime() + spinNanos;
            for (int checks = 1; ; checks++) {
                if (closed) {
                    throw new VmbusClientException("channel " + relid() + " is closed");
                }
                IncomingPacket packet = reader.read(buffer);
                if (packet != null) {
                    if (reader.commit()) {
                        transport.signalHost(offer.connectionId());
                    }
                    return packet;
                }
                if (checks % SPIN_CHECKS_PER_CLOCK == 0) {
                    if (System.nanoTime() - end >= 0) {
                        return receive(buffer);
                    }
                    // The host's thread that answers may be waiting for this very processor.
                    Thread.yield();
                }
                Thread.onSpinWait();
            }
        } catch (RingCorruptException e) {
            throw new VmbusClientException("channel " + relid() + ": host corrupted the ring", e);
        } finally {
            receiveLock.unlock();
        }
    }

    /**
     * Receives the next packet into {@code buffer} if one is waiting, without waiting for one.
     *
     * @return the packet (slices of {@code buffer}), or null when the ring is empty
     */
    public IncomingPacket poll(MemorySegment buffer) throws VmbusClientException {
        receiveLock.lock();
        try {
            if (closed) {
                throw new VmbusClientException("channel " + relid() + " is closed");
            }
            IncomingPacket packet = reader.read(buffer);
            if (packet != null && reader.commit()) {
                transport.signalHost(offer.connectionId());
            }
            return packet;
        } catch (RingCorruptException e) {
            throw new VmbusClientException("channel " + relid() + ": host corrupted the ring", e);
        } finally {
            receiveLock.unlock();
        }
    }

    /** Signals the host without writing (hostile tests that edit the ring by hand). */
    public void signalHost() {
        transport.signalHost(offer.connectionId());
    }

    /** CLOSE_CHANNEL only; the GPADL stays (see {@link #teardown}). */
    public void closeChannel() {
        if (!closed) {
            closed = true;
            client.post(new CloseChannel(relid()));
            client.channelClosed(this);
            onSignal();
        }
    }

    /** GPADL_TEARDOWN of the ring GPADL, wait for GPADL_TORNDOWN, free the pages. */
    public void teardown() throws VmbusClientException {
        client.teardownGpadl(relid(), gpadl);
        pages.close();
    }

    /** CLOSE_CHANNEL, then {@link #teardown}. */
    @Override
    public void close() throws VmbusClientException {
        closeChannel();
        teardown();
    }

    /** The connection unloaded: the host forgot the channel and its GPADL. */
    void forget() {
        closed = true;
        onSignal();
        pages.close();
    }
}
