package dev.parvis.vmbus.ring;

import dev.parvis.abi.vmbus.PacketDescriptor;
import dev.parvis.abi.vmbus.VmbusConstants;
import dev.parvis.abi.vmbus.RingControl;
import dev.parvis.abi.vmbus.PacketType;

import static dev.parvis.vmbus.ring.RingAccess.U16;
import static dev.parvis.vmbus.ring.RingAccess.U64;
import static dev.parvis.abi.vmbus.VmbusConstants.PACKET_TRAILER_SIZE;


import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * The producer side of a ring (reference sections 7.2, 7.4 and 7.5). Owns write_index and
 * pending_send_size; reads the consumer's read_index and interrupt_mask. One thread at a time.
 *
 * <p>read_index is loaded (acquire, then validated) only when the free space known from the last
 * load is too small, and always by {@link #requestSpace} and {@link #freeBytes}.
 */
public final class RingWriter {
    private static final int DESCRIPTOR_BYTES = (int) PacketDescriptor.SIZE;
    private static final int MAX_LEN8 = 0xFFFF;
    /** Packets up to this size are assembled in the scratch buffer and copied into the ring once. */
    private static final int SCRATCH_SIZE = 512;
    private static final MemorySegment ZEROS = MemorySegment.ofArray(new long[1]);

    private final RingAccess ring;
    private final MemorySegment scratch = MemorySegment.ofArray(new long[SCRATCH_SIZE / Long.BYTES]);
    /** Our copy of write_index; -1 until loaded from the control page. */
    private long writeIndex = -1;
    /** The last validated read_index; it may lag the consumer, which only makes free space look smaller. */
    private long knownRead = -1;

    RingWriter(RingAccess ring) {
        this.ring = ring;
    }

    /** Bytes a packet occupies in the ring: descriptor, type header, payload, padding and trailer. */
    public static long packetSize(long typeHeaderBytes, long payloadBytes) {
        return align8(align8(DESCRIPTOR_BYTES + typeHeaderBytes) + payloadBytes) + PACKET_TRAILER_SIZE;
    }

    /** The largest in-band payload that fits this ring when it is empty. */
    public int maxPayload() {
        long byRing = ring.size - PACKET_TRAILER_SIZE - PACKET_TRAILER_SIZE - DESCRIPTOR_BYTES;
        long byLen8 = (long) MAX_LEN8 * 8 - DESCRIPTOR_BYTES;
        return (int) Math.min(byRing, byLen8);
    }

    /**
     * Writes one packet, or nothing when the ring lacks space.
     *
     * @param typeHeader bytes between the descriptor and the payload (e.g. a GPA-direct range list),
     *     or null; padded with zeros to a multiple of 8
     * @param payload the payload, or null; padded with zeros to a multiple of 8
     * @throws RingCorruptException the consumer's read_index is invalid
     * @throws IllegalArgumentException the packet can never fit this ring
     */
    public WriteResult write(PacketType type, int flags, long transactionId, MemorySegment typeHeader,
            MemorySegment payload) throws RingCorruptException {
        long headerBytes = typeHeader == null ? 0 : typeHeader.byteSize();
        long payloadBytes = payload == null ? 0 : payload.byteSize();
        long dataOffset = align8(DESCRIPTOR_BYTES + headerBytes);
        long length = align8(dataOffset + payloadBytes);
        long total = length + PACKET_TRAILER_SIZE;
        checkFits(length);
        long start = writeIndex();
        if (knownRead < 0 || ring.freeBytes(start, knownRead) <= total) {
            knownRead = ring.loadIndex(RingControl.READ_INDEX_OFFSET);
            if (ring.freeBytes(start, knownRead) <= total) {
                return WriteResult.FULL;
            }
        }
        if (total <= SCRATCH_SIZE) {
            assemble(scratch, type, flags, transactionId, typeHeader, headerBytes, dataOffset, payload,
                    payloadBytes, length, start);
            ring.copyIn(start, scratch, 0, total);
        } else {
            writeInPieces(start, type, flags, transactionId, typeHeader, headerBytes, dataOffset, payload,
                    payloadBytes, length);
        }
        long end = ring.advance(start, total);
        VarHandle.fullFence();
        ring.storeRelease(RingControl.WRITE_INDEX_OFFSET, (int) end);
        writeIndex = end;
        return signalAfterWrite(start);
    }

    /**
     * Asks the consumer for a signal once a packet of {@code packetBytes} (as {@link #packetSize},
     * trailer included) fits. Linux's rule ({@code hv_ringbuffer_write}): pending_send_size is exactly
     * the packet plus trailer, and the write needs free space strictly greater than that; a reader
     * signals when free space rises above pending_send_size. Then re-checks.
     *
     * @return true when the space is available already (no signal will come for it)
     */
    public boolean requestSpace(int packetBytes) throws RingCorruptException {
        long needed = align8(packetBytes);
        if (packetBytes <= 0 || needed >= ring.size) {
            throw new IllegalArgumentException("a packet of " + packetBytes + " bytes never fits a ring of "
                    + ring.size + " data bytes");
        }
        ring.storeRelease(RingControl.PENDING_SEND_SIZE_OFFSET, (int) needed);
        VarHandle.fullFence();
        knownRead = ring.loadIndex(RingControl.READ_INDEX_OFFSET);
        return ring.freeBytes(writeIndex(), knownRead) > needed;
    }

    /** Sets pending_send_size back to 0. */
    public void clearSpaceRequest() {
        ring.storeRelease(RingControl.PENDING_SEND_SIZE_OFFSET, 0);
    }

    /** Free bytes in the ring now (a packet needs strictly more than its size). */
    public long freeBytes() throws RingCorruptException {
        knownRead = ring.loadIndex(RingControl.READ_INDEX_OFFSET);
        return ring.freeBytes(writeIndex(), knownRead);
    }

    private long writeIndex() throws RingCorruptException {
        if (writeIndex < 0) {
            writeIndex = ring.loadIndex(RingControl.WRITE_INDEX_OFFSET);
        }
        return writeIndex;
    }

    private void checkFits(long length) {
        if (length / 8 > MAX_LEN8 || length + PACKET_TRAILER_SIZE > ring.size - PACKET_TRAILER_SIZE) {
            throw new IllegalArgumentException("a packet of " + (length + PACKET_TRAILER_SIZE)
                    + " bytes never fits a ring of " + ring.size + " data bytes (max payload " + maxPayload() + ")");
        }
    }

    /** Section 7.5: signal only if the consumer is unmasked and the ring was empty before this write. */
    private WriteResult signalAfterWrite(long oldWriteIndex) {
        VarHandle.fullFence();
        if (ring.loadAcquire(RingControl.INTERRUPT_MASK_OFFSET) != 0) {
            return WriteResult.WRITTEN;
        }
        // Re-read: the consumer may have caught up while we wrote. Compared only, never used as an offset.
        long read = Integer.toUnsignedLong(ring.loadAcquire(RingControl.READ_INDEX_OFFSET));
        if (read < ring.size && read % VmbusConstants.PACKET_ALIGNMENT == 0) {
            knownRead = read;
        }
        return read == oldWriteIndex ? WriteResult.WRITTEN_SIGNAL : WriteResult.WRITTEN;
    }

    private static void assemble(MemorySegment dst, PacketType type, int flags, long transactionId,
            MemorySegment typeHeader, long headerBytes, long dataOffset, MemorySegment payload, long payloadBytes,
            long length, long start) {
        putDescriptor(dst, type, flags, transactionId, dataOffset, length);
        if (dataOffset > DESCRIPTOR_BYTES) {
            dst.set(U64, dataOffset - 8, 0L); // padding after the type header
            MemorySegment.copy(typeHeader, 0, dst, DESCRIPTOR_BYTES, headerBytes);
        }
        if (length > dataOffset) {
            dst.set(U64, length - 8, 0L); // padding after the payload
            MemorySegment.copy(payload, 0, dst, dataOffset, payloadBytes);
        }
        dst.set(U64, length, start << 32);
    }

    private void writeInPieces(long start, PacketType type, int flags, long transactionId,
            MemorySegment typeHeader, long headerBytes, long dataOffset, MemorySegment payload, long payloadBytes,
            long length) {
        putDescriptor(scratch, type, flags, transactionId, dataOffset, length);
        long pos = ring.copyIn(start, scratch, 0, DESCRIPTOR_BYTES);
        if (headerBytes > 0) {
            pos = ring.copyIn(pos, typeHeader, 0, headerBytes);
        }
        pos = ring.copyIn(pos, ZEROS, 0, dataOffset - DESCRIPTOR_BYTES - headerBytes);
        if (payloadBytes > 0) {
            pos = ring.copyIn(pos, payload, 0, payloadBytes);
        }
        pos = ring.copyIn(pos, ZEROS, 0, length - dataOffset - payloadBytes);
        scratch.set(U64, DESCRIPTOR_BYTES, start << 32);
        ring.copyIn(pos, scratch, DESCRIPTOR_BYTES, PACKET_TRAILER_SIZE);
    }

    private static void putDescriptor(MemorySegment dst, PacketType type, int flags, long transactionId,
            long dataOffset, long length) {
        dst.set(U16, PacketDescriptor.TYPE_OFFSET, type.raw());
        dst.set(U16, PacketDescriptor.OFFSET8_OFFSET, (short) (dataOffset / 8));
        dst.set(U16, PacketDescriptor.LEN8_OFFSET, (short) (length / 8));
        dst.set(U16, PacketDescriptor.FLAGS_OFFSET, (short) flags);
        dst.set(U64, PacketDescriptor.TRANSACTION_ID_OFFSET, transactionId);
    }

    static long align8(long n) {
        return (n + 7) & ~7L;
    }
}
