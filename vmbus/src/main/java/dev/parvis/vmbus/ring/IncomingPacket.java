package dev.parvis.vmbus.ring;

import dev.parvis.abi.vmbus.VmbusConstants;
import dev.parvis.abi.vmbus.PacketType;

import java.lang.foreign.MemorySegment;

/**
 * One packet read from a ring. {@code typeHeader} holds the bytes between the 16-byte descriptor
 * and offset8 * 8 (e.g. a GPA-direct range list); {@code payload} holds offset8 * 8 .. len8 * 8,
 * padding included. Both are slices of the buffer given to {@link RingReader#read}: the packet was
 * copied out of shared memory before any field was checked, so the other side cannot change it.
 */
public record IncomingPacket(
        PacketType type, int flags, long transactionId, MemorySegment typeHeader, MemorySegment payload) {

    public boolean completionRequested() {
        return (flags & VmbusConstants.PACKET_FLAG_COMPLETION_REQUESTED) != 0;
    }
}
