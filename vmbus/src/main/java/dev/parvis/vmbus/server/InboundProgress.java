package dev.parvis.vmbus.server;

import dev.parvis.vmbus.ring.RingReader;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a channel's turns have consumed of the guest's ring: when read_index is published and what is
 * counted. read_index goes out once per batch, as Linux's hv_pkt_iter_close does (when the turn
 * catches up or ends, or after {@link #PUBLISH_PACKETS} packets or a quarter of the ring), not per
 * packet: a guest waiting for room then wakes once for several packets' worth, and the turn pays the
 * store and fence once. The packet counters and the guest's signal allowance are updated once per
 * batch too (each is an atomic update, and earning takes a lock). The turn's thread only, except the
 * counters' totals.
 */
final class InboundProgress {
    /** Packets a turn handles before it publishes read_index, if it has not caught up first. */
    static final int PUBLISH_PACKETS = 16;

    private final RingReader reader;
    private final SignalBudget signals;
    /** Bytes read after which the turn publishes without waiting to catch up. */
    private final long publishBytes;
    private final AtomicLong packets = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private int readSincePublish;
    private int uncountedPackets;
    private long uncountedBytes;

    InboundProgress(RingReader reader, long ringDataBytes, SignalBudget signals) {
        this.reader = reader;
        this.publishBytes = ringDataBytes / 4;
        this.signals = signals;
    }

    /** A packet's handling ended; true when read_index is due now. */
    boolean handled(long payloadBytes) {
        uncountedPackets++;
        uncountedBytes += payloadBytes;
        return ++readSincePublish >= PUBLISH_PACKETS || reader.uncommittedBytes() >= publishBytes;
    }

    /** Publishes read_index for every packet handled; true when the guest must be signalled (Linux's rule). */
    boolean publish() {
        readSincePublish = 0;
        return reader.commit();
    }

    /**
     * Publishes read_index up to the packet still being handled, whose device is about to wait for the
     * guest; true when the guest must be signalled.
     */
    boolean publishBeforeCurrent() {
        return reader.commitBeforeLast();
    }

    /** Adds the packets handled since the last call to the counters and the signal allowance. */
    void count() {
        if (uncountedPackets > 0) {
            packets.addAndGet(uncountedPackets);
            bytes.addAndGet(uncountedBytes);
            signals.earn(uncountedPackets);
            uncountedPackets = 0;
            uncountedBytes = 0;
        }
    }

    long packets() {
        return packets.get();
    }

    long bytes() {
        return bytes.get();
    }
}
