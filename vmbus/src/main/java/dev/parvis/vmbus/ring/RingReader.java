package dev.parvis.vmbus.ring;

import dev.parvis.abi.vmbus.PacketDescriptor;
import dev.parvis.abi.vmbus.VmbusConstants;
import dev.parvis.abi.vmbus.RingControl;
import dev.parvis.abi.vmbus.PacketType;

import static dev.parvis.vmbus.ring.RingAccess.U16;
import static dev.parvis.vmbus.ring.RingAccess.U64;
import static dev.parvis.abi.vmbus.VmbusConstants.PACKET_TRAILER_SIZE;


import dev.parvis.vmbus.ring.RingCorruptException.Reason;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * The consumer side of a ring (reference sections 7.2, 7.4 and 7.5). {@link #read} advances a
 * private position; {@link #commit} publishes it as read_index. Owns read_index and
 * interrupt_mask; reads the producer's write_index and pending_send_size. One thread at a time.
 *
 * <p>write_index is loaded (acquire, then validated) only when the packets known from the last load
 * are used up, and always by {@link #hasData}, so a batch costs one cross-core read of it.
 */
public final class RingReader {
    private static final int DESCRIPTOR_BYTES = (int) PacketDescriptor.SIZE;
    private final RingAccess ring;
    /** The read_index last published (or loaded); -1 until loaded from the control page. */
    private long published = -1;
    /** Start of the next unread packet; equals {@code published} when everything read is committed. */
    private long position;
    /** The last validated write_index; data up to it is published, so it may lag but never lie. */
    private long knownWrite = -1;
    /** Where the packet the last {@link #read} returned starts; -1 when none was read since the last publish. */
    private long lastStart = -1;

    RingReader(RingAccess ring) {
        this.ring = ring;
    }

    /**
     * Copies the next packet into {@code buffer} and moves past it (not yet published; see
     * {@link #commit}).
     *
     * @return the packet, its header and payload slices of {@code buffer}; null when the ring is empty
     * @throws RingCorruptException the write index or the packet's descriptor is invalid, or the
     *     packet is larger than {@code buffer}; nothing is consumed
     */
    public IncomingPacket read(MemorySegment buffer) throws RingCorruptException {
        long start = position();
        long available = knownWrite < 0 ? 0 : ring.bytesToRead(knownWrite, start);
        if (available == 0) {
            knownWrite = ring.loadIndex(RingControl.WRITE_INDEX_OFFSET);
            available = ring.bytesToRead(knownWrite, start);
            if (available == 0) {
                return null;
            }
        }
        if (available < DESCRIPTOR_BYTES + PACKET_TRAILER_SIZE) {
            throw new RingCorruptException(Reason.PACKET_BEYOND_DATA, available,
                    available + " readable bytes cannot hold a packet");
        }
        if (buffer.byteSize() < DESCRIPTOR_BYTES) {
            throw new RingCorruptException(Reason.PACKET_EXCEEDS_BUFFER, DESCRIPTOR_BYTES,
                    "buffer of " + buffer.byteSize() + " bytes");
        }
        ring.copyOut(start, buffer, 0, DESCRIPTOR_BYTES);
        long length = Short.toUnsignedLong(buffer.get(U16, PacketDescriptor.LEN8_OFFSET)) * 8;
        checkLength(length, available, buffer.byteSize());
        ring.copyOut(ring.advance(start, DESCRIPTOR_BYTES), buffer, DESCRIPTOR_BYTES, length - DESCRIPTOR_BYTES);
        // Every field below comes from the private copy, so the other side cannot change it now.
        long dataOffset = Short.toUnsignedLong(buffer.get(U16, PacketDescriptor.OFFSET8_OFFSET)) * 8;
        if (dataOffset < DESCRIPTOR_BYTES || dataOffset > length) {
            throw new RingCorruptException(Reason.BAD_DATA_OFFSET, dataOffset,
                    "offset8 * 8 = %d, packet length %d".formatted(dataOffset, length));
        }
        position = ring.advance(start, length + PACKET_TRAILER_SIZE);
        lastStart = start;
        return new IncomingPacket(
                PacketType.of(buffer.get(U16, PacketDescriptor.TYPE_OFFSET)),
                Short.toUnsignedInt(buffer.get(U16, PacketDescriptor.FLAGS_OFFSET)),
                buffer.get(U64, PacketDescriptor.TRANSACTION_ID_OFFSET),
                buffer.asSlice(DESCRIPTOR_BYTES, dataOffset - DESCRIPTOR_BYTES),
                buffer.asSlice(dataOffset, length - dataOffset));
    }

    private static void checkLength(long length, long available, long bufferSize) throws RingCorruptException {
        if (length < DESCRIPTOR_BYTES) {
            throw new RingCorruptException(Reason.PACKET_TOO_SHORT, length,
                    "len8 * 8 = " + length + " is smaller than the descriptor");
        }
        if (length + PACKET_TRAILER_SIZE > available) {
            throw new RingCorruptException(Reason.PACKET_BEYOND_DATA, length,
                    "packet of %d bytes plus trailer, %d readable".formatted(length, available));
        }
        if (length > bufferSize) {
            throw new RingCorruptException(Reason.PACKET_EXCEEDS_BUFFER, length,
                    "packet of %d bytes, buffer of %d".formatted(length, bufferSize));
        }
    }

    /**
     * Publishes the read position as read_index (release).
     *
     * @return true when the producer must be signalled, by Linux's rule ({@code hv_pkt_iter_close}):
     *     the ring has the pending_send_size feature, pending_send_size is non-zero, and free space
     *     crossed it in this batch: at most pending_send_size before, strictly more after. (A Linux
     *     writer asks for packet + trailer and writes only when free space exceeds that.) A corrupt
     *     write_index also returns true, a harmless extra signal; the next {@link #read} or
     *     {@link #hasData} reports it.
     */
    public boolean commit() {
        return publish(position);
    }

    /**
     * As {@link #commit}, but publishes only up to the start of the packet the last {@link #read}
     * returned: a consumer still handling that packet frees the ring space of those before it (it
     * may yet {@link #unreadLast} it).
     */
    public boolean commitBeforeLast() {
        return lastStart >= 0 && publish(lastStart);
    }

    /** Bytes read past read_index and not yet published by a commit. */
    public long uncommittedBytes() {
        return published < 0 ? 0 : ring.bytesToRead(position, published);
    }

    private boolean publish(long upTo) {
        if (published < 0 || upTo == published) {
            return false;
        }
        long oldRead = published;
        ring.storeRelease(RingControl.READ_INDEX_OFFSET, (int) upTo);
        published = upTo;
        if (upTo == position) {
            lastStart = -1;
        }
        VarHandle.fullFence();
        if ((ring.loadAcquire(RingControl.FEATURE_BITS_OFFSET) & VmbusConstants.RING_FEATURE_PENDING_SEND_SIZE) == 0) {
            return false;
        }
        long pending = Integer.toUnsignedLong(ring.loadAcquire(RingControl.PENDING_SEND_SIZE_OFFSET));
        if (pending == 0) {
            return false;
        }
        long write = Integer.toUnsignedLong(ring.loadAcquire(RingControl.WRITE_INDEX_OFFSET));
        if (write >= ring.size || write % VmbusConstants.PACKET_ALIGNMENT != 0) {
            return true;
        }
        return ring.freeBytes(write, oldRead) <= pending && ring.freeBytes(write, upTo) > pending;
    }

    /**
     * Steps back over the packet the last {@link #read} returned, if it is not published yet: the next
     * {@link #read} returns it again (a consumer that could not finish handling it leaves it in the ring).
     */
    public void unreadLast() {
        if (lastStart >= 0) {
            position = lastStart;
            lastStart = -1;
        }
    }

    /**
     * Sets interrupt_mask: true while draining ("don't signal me"). Clearing it is followed by a full
     * fence, so a following {@link #hasData} sees every packet published before a producer could
     * have seen the mask set.
     */
    public void setInterruptMask(boolean masked) {
        ring.storeRelease(RingControl.INTERRUPT_MASK_OFFSET, masked ? 1 : 0);
        if (!masked) {
            VarHandle.fullFence();
        }
    }

    /** True when a packet is waiting past the private read position. */
    public boolean hasData() throws RingCorruptException {
        long start = position();
        knownWrite = ring.loadIndex(RingControl.WRITE_INDEX_OFFSET);
        return knownWrite != start;
    }

    /** Bytes past the private read position; 0 when an index is corrupt (read() reports it). */
    public long bytesToRead() {
        try {
            long start = position();
            return ring.bytesToRead(ring.loadIndex(RingControl.WRITE_INDEX_OFFSET), start);
        } catch (RingCorruptException e) {
            return 0;
        }
    }

    private long position() throws RingCorruptException {
        if (published < 0) {
            position = ring.loadIndex(RingControl.READ_INDEX_OFFSET);
            published = position;
        }
        return position;
    }
}
