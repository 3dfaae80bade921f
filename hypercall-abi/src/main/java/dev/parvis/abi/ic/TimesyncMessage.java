package dev.parvis.abi.ic;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.U8;
import static dev.parvis.abi.layout.LittleEndian.bytes;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u64;
import static dev.parvis.abi.layout.LittleEndian.u8;

/**
 * TIMESYNC body of version 4.0 (reference section 9.6, {@code ictimesync_ref_data}): both times in
 * 100 ns units; {@code parentTime} since 1601 UTC, {@code vmReferenceTime} the partition reference
 * counter when the host sampled it. {@code flags} are {@code IcConstants.TIMESYNC_*}.
 */
public record TimesyncMessage(long parentTime, long vmReferenceTime, byte flags, byte leapIndicator, byte stratum) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U64.withName("parent_time"),
            U64.withName("vm_reference_time"),
            U8.withName("flags"),
            U8.withName("leap_indicator"),
            U8.withName("stratum"),
            bytes(5, "reserved"));
    public static final int SIZE = (int) LAYOUT.byteSize();

    private static final long PARENT_TIME = offset(LAYOUT, "parent_time");
    private static final long VM_REFERENCE_TIME = offset(LAYOUT, "vm_reference_time");
    private static final long FLAGS = offset(LAYOUT, "flags");
    private static final long LEAP_INDICATOR = offset(LAYOUT, "leap_indicator");
    private static final long STRATUM = offset(LAYOUT, "stratum");

    public static TimesyncMessage read(MemorySegment s) {
        return new TimesyncMessage(u64(s, PARENT_TIME), u64(s, VM_REFERENCE_TIME), u8(s, FLAGS),
                u8(s, LEAP_INDICATOR), u8(s, STRATUM));
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u64(s, PARENT_TIME, parentTime);
        u64(s, VM_REFERENCE_TIME, vmReferenceTime);
        u8(s, FLAGS, flags);
        u8(s, LEAP_INDICATOR, leapIndicator);
        u8(s, STRATUM, stratum);
    }
}
