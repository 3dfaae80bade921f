package dev.parvis.vmbus.ring;

import dev.parvis.abi.vmbus.VmbusConstants;
import dev.parvis.abi.vmbus.RingControl;

import java.lang.invoke.VarHandle;

/**
 * One direction of a VMBus channel: a control page and a data area of packets (reference section
 * 7). The producer uses {@link #writer()}, the consumer {@link #reader()}; each is meant for one
 * thread at a time. The same class serves the root's server and the Java client.
 */
public final class RingBuffer {
    private final RingMemory memory;
    private final RingAccess access;
    private final RingReader reader;
    private final RingWriter writer;

    public RingBuffer(RingMemory memory) {
        this.memory = memory;
        this.access = new RingAccess(memory);
        this.reader = new RingReader(access);
        this.writer = new RingWriter(access);
    }

    /**
     * Prepares a new ring: zeroes the control page and sets feature_bits to
     * {@link RingControl#RING_FEATURE_PENDING_SEND_SIZE}. Done by whoever creates the ring memory
     * (the guest, or the Java client), before anyone builds a {@code RingBuffer} over it.
     */
    public static void initialize(RingMemory memory) {
        RingAccess access = new RingAccess(memory);
        access.control.fill((byte) 0);
        access.storeRelease(RingControl.FEATURE_BITS_OFFSET, VmbusConstants.RING_FEATURE_PENDING_SEND_SIZE);
        VarHandle.fullFence();
    }

    public RingReader reader() {
        return reader;
    }

    public RingWriter writer() {
        return writer;
    }

    public RingMemory memory() {
        return memory;
    }

    public long dataSize() {
        return access.size;
    }
}
