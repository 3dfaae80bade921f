package dev.parvis.abi.vmbus;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.bytes;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;

/**
 * The 4096-byte control page in front of each ring's data area (reference section 7.1). Indices
 * are byte offsets into the data area. This record is a snapshot; the ring implementation accesses
 * the live page with VarHandles at the {@code *_OFFSET} constants.
 */
public record RingControl(int writeIndex, int readIndex, int interruptMask, int pendingSendSize, int featureBits) {
    public static final int SIZE = 4096;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("write_index"),
            U32.withName("read_index"),
            U32.withName("interrupt_mask"),
            U32.withName("pending_send_size"),
            bytes(48, "reserved1"),
            U32.withName("feature_bits"),
            bytes(4028, "reserved2"));

    public static final long WRITE_INDEX_OFFSET = offset(LAYOUT, "write_index");
    public static final long READ_INDEX_OFFSET = offset(LAYOUT, "read_index");
    public static final long INTERRUPT_MASK_OFFSET = offset(LAYOUT, "interrupt_mask");
    public static final long PENDING_SEND_SIZE_OFFSET = offset(LAYOUT, "pending_send_size");
    public static final long FEATURE_BITS_OFFSET = offset(LAYOUT, "feature_bits");

    public static RingControl read(MemorySegment s) {
        return new RingControl(u32(s, WRITE_INDEX_OFFSET), u32(s, READ_INDEX_OFFSET), u32(s, INTERRUPT_MASK_OFFSET),
                u32(s, PENDING_SEND_SIZE_OFFSET), u32(s, FEATURE_BITS_OFFSET));
    }

    /** Writes the whole page, reserved bytes zeroed. */
    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u32(s, WRITE_INDEX_OFFSET, writeIndex);
        u32(s, READ_INDEX_OFFSET, readIndex);
        u32(s, INTERRUPT_MASK_OFFSET, interruptMask);
        u32(s, PENDING_SEND_SIZE_OFFSET, pendingSendSize);
        u32(s, FEATURE_BITS_OFFSET, featureBits);
    }

    public boolean supportsPendingSendSize() {
        return (featureBits & VmbusConstants.RING_FEATURE_PENDING_SEND_SIZE) != 0;
    }
}
