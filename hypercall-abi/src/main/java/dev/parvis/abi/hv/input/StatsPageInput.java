package dev.parvis.abi.hv.input;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.pad;
import static dev.parvis.abi.layout.LittleEndian.u32;
import static dev.parvis.abi.layout.LittleEndian.u64;

/**
 * HvCallMapStatsPage and HvCallUnmapStatsPage input, 24 bytes: Linux's {@code hv_input_map_stats_page}
 * and {@code hv_input_unmap_stats_page} (include/hyperv/hvhdk_mini.h) have the same layout, a u32
 * object type ({@code enum hv_stats_object_type}), 4 bytes of padding and the 16-byte
 * {@code union hv_stats_object_identity}. For a partition (the only object Parvis publishes) the
 * identity is the u64 partition id, 7 reserved bytes and the u8 stats area type last
 * ({@code hv_stats_partition}); the VP identity puts the VP index, flags and a reserved byte in
 * the second quadword with the area type still in its top byte. The second quadword is kept raw
 * so a reserved byte the caller set is seen, not dropped.
 */
public record StatsPageInput(int objectType, long partitionId, long identityHigh) {
    public static final int SIZE = 24;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("type"),
            pad(4),
            U64.withName("identity_partition_id"),
            U64.withName("identity_high"));

    private static final long TYPE = offset(LAYOUT, "type");
    private static final long PARTITION_ID = offset(LAYOUT, "identity_partition_id");
    private static final long IDENTITY_HIGH = offset(LAYOUT, "identity_high");
    /** The top byte of the identity's second quadword: {@code stats_area_type} in every identity form. */
    private static final int AREA_SHIFT = 56;

    /** A partition's statistics, {@code area} being {@code HV_STATS_AREA_SELF} (0) or another area. */
    public static StatsPageInput partition(int objectType, long partitionId, int area) {
        return new StatsPageInput(objectType, partitionId, (long) (area & 0xFF) << AREA_SHIFT);
    }

    /** {@code stats_area_type} (enum hv_stats_area_type: SELF 0, PARENT 1, INTERNAL 2). */
    public int areaType() {
        return (int) (identityHigh >>> AREA_SHIFT);
    }

    /** The partition identity's 7 reserved bytes, which must be zero. */
    public long partitionIdentityReserved() {
        return identityHigh & ((1L << AREA_SHIFT) - 1);
    }

    /** Whether the 4 padding bytes after the type are non-zero (a caller must send them as zero). */
    public static boolean paddingSet(MemorySegment s) {
        return u32(s, TYPE + 4) != 0;
    }

    public static StatsPageInput read(MemorySegment s) {
        return new StatsPageInput(u32(s, TYPE), u64(s, PARTITION_ID), u64(s, IDENTITY_HIGH));
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u32(s, TYPE, objectType);
        u64(s, PARTITION_ID, partitionId);
        u64(s, IDENTITY_HIGH, identityHigh);
    }
}
