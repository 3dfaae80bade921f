package dev.parvis.abi.vmbus;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U16;
import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.U8;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u16;
import static dev.parvis.abi.layout.LittleEndian.u32;
import static dev.parvis.abi.layout.LittleEndian.u8;

/**
 * The 8 bytes after the descriptor of a DATA_USING_TRANSFER_PAGES packet (reference section 7.3);
 * {@link TransferPageRange}s follow at packet offset 24.
 */
public record TransferPageHeader(short transferPageSetId, boolean senderOwnsSet, int rangeCount) {
    public static final int SIZE = 8;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U16.withName("xfer_pageset_id"),
            U8.withName("sender_owns_set"),
            U8.withName("reserved"),
            U32.withName("range_count"));

    private static final long XFER_PAGESET_ID = offset(LAYOUT, "xfer_pageset_id");
    private static final long SENDER_OWNS_SET = offset(LAYOUT, "sender_owns_set");
    private static final long RANGE_COUNT = offset(LAYOUT, "range_count");

    public static TransferPageHeader read(MemorySegment s) {
        return new TransferPageHeader(u16(s, XFER_PAGESET_ID), u8(s, SENDER_OWNS_SET) != 0, u32(s, RANGE_COUNT));
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u16(s, XFER_PAGESET_ID, transferPageSetId);
        u8(s, SENDER_OWNS_SET, (byte) (senderOwnsSet ? 1 : 0));
        u32(s, RANGE_COUNT, rangeCount);
    }
}
