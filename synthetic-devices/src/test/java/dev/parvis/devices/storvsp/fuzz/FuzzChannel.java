package dev.parvis.devices.storvsp.fuzz;

import dev.parvis.abi.vmbus.OfferChannel;
import dev.parvis.vmbus.client.ClientChannel;
import dev.parvis.vmbus.client.VmbusClient;
import dev.parvis.vmbus.client.VmbusClientException;
import dev.parvis.vmbus.ring.IncomingPacket;
import dev.parvis.vmbus.server.ServerChannel;
import dev.parvis.vmbus.server.VmbusServer;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.locks.LockSupport;

/**
 * The fuzzing guest's channel to its controller: raw packets out, completions polled in (no
 * reader thread: the guest reads when the test says), and the host's side of it, which tells when
 * and why the host closed it. After a close the guest tears the channel down and opens it again.
 */
final class FuzzChannel implements AutoCloseable {
    /** Ring pages each way (control page included): 28 KiB of packets out, 12 KiB of completions in. */
    private static final int OUTBOUND_PAGES = 8;
    private static final int INBOUND_PAGES = 4;

    private final VmbusClient client;
    private final VmbusServer server;
    private final OfferChannel offer;
    private final MemorySegment receiveBuffer = MemorySegment.ofArray(new byte[16384]);
    private ClientChannel channel;
    private ServerChannel host;
    private int spins;

    FuzzChannel(VmbusClient client, VmbusServer server, OfferChannel offer) {
        this.client = client;
        this.server = server;
        this.offer = offer;
    }

    /** Opens the channel; returns the largest packet the host reads on it. */
    int open() throws VmbusClientException {
        channel = client.open(offer, OUTBOUND_PAGES, INBOUND_PAGES);
        host = server.channel(channel.relid()).orElseThrow();
        return host.receiveBufferBytes();
    }

    /**
     * Closes the channel as a guest does (CLOSE_CHANNEL, then the ring GPADL's teardown) and opens it
     * again on new ring pages. The old ones stay the guest's, as freed memory does in a real guest:
     * the loopback's free would take them out of the guest's RAM, which ends the host's RAM window
     * epoch under every request in flight, the other controller's too.
     */
    int reopen() throws VmbusClientException {
        channel.closeChannel();
        client.teardownGpadl(channel.relid(), channel.gpadl());
        return open();
    }

    void send(FuzzPacket p) throws VmbusClientException {
        channel.send(p.type(), p.flags(), p.transactionId(), p.typeHeader().length == 0 ? null
                : MemorySegment.ofArray(p.typeHeader()), MemorySegment.ofArray(p.payload()));
    }

    /**
     * The next packet from the host, or null when none came yet (the caller polls again, after a short
     * park that grows while nothing comes). The packet's segments are valid until the next call.
     */
    IncomingPacket poll() throws VmbusClientException {
        IncomingPacket p = channel.poll(receiveBuffer);
        if (p != null) {
            spins = 0;
        } else if (++spins > 50) {
            LockSupport.parkNanos(Math.min(1_000_000, 1_000L * (spins - 50)));
        } else {
            Thread.onSpinWait();
        }
        return p;
    }

    /** Whether the host closed its side. */
    boolean closedByHost() {
        return host.isTerminated();
    }

    String closeReason() {
        return host.closeReason();
    }

    @Override
    public void close() throws VmbusClientException {
        channel.closeChannel();
        client.teardownGpadl(channel.relid(), channel.gpadl());
    }
}
