package dev.parvis.vmbus.device;

import dev.parvis.abi.vmbus.Guid;
import dev.parvis.vmbus.ring.IncomingPacket;

import java.lang.foreign.MemorySegment;

/**
 * An open channel as a device sees it: send packets, complete transactions, map the guest buffers
 * a GPA-direct packet names. Devices never see ring internals or guest page numbers that did not
 * come from a packet. Sends may come from any thread; they are serialized per channel. A send on a
 * full ring waits (bounded, parked, never spinning) for the guest to free space. The packet is in
 * the ring when a send returns; the guest signal it may owe (ring rules) goes out at once from other
 * threads, and from {@link ChannelHandler#onPacket} once the turn has read every packet waiting.
 */
public interface VmbusChannel {

    int relid();

    Guid interfaceType();

    Guid instance();

    /** Sends a DATA_INBAND packet; waits up to the server's send timeout when the ring is full. */
    SendResult sendInband(long transactionId, MemorySegment payload, boolean completionRequested);

    /** Like {@link #sendInband} but returns {@link SendResult#RING_FULL} at once instead of waiting. */
    SendResult trySendInband(long transactionId, MemorySegment payload, boolean completionRequested);

    /** Sends a COMPLETION packet for {@code transactionId} with an optional payload (may be empty). */
    SendResult sendCompletion(long transactionId, MemorySegment payload);

    /** The largest payload one packet on the host-to-guest ring can carry. */
    int maxPayload();

    /**
     * Maps the ranges of a DATA_USING_GPA_DIRECT packet (received on this channel, during
     * {@link ChannelHandler#onPacket}) through the child's grants.
     */
    GpaDirectBuffers mapGpaDirect(IncomingPacket packet, boolean writable) throws GpaDirectRefusedException;

    /**
     * Whether more guest packets wait in the inbound ring behind the one being handled (asked during
     * {@link ChannelHandler#onPacket}; false elsewhere): a device tells a burst, whose requests it can
     * overlap, from a lone request that is best finished at once.
     */
    default boolean morePacketsWaiting() {
        return false;
    }

    ChannelCounters counters();

    boolean isOpen();

    /** Closes the channel from the host side: the handler gets onClose; the guest keeps its offer. */
    void close();
}
