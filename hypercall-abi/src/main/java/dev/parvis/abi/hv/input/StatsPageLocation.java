package dev.parvis.abi.hv.input;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u64;

/**
 * HvCallMapStatsPage output, 8 bytes: Linux's {@code hv_output_map_stats_page} (hvhdk_mini.h), the
 * u64 {@code map_location}, the PFN in the root's physical address space where the page of
 * counters now is (Linux's hv_call_map_stats_page turns it into an address with pfn_to_kaddr).
 */
public record StatsPageLocation(long mapLocation) {
    public static final int SIZE = 8;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(U64.withName("map_location"));

    private static final long MAP_LOCATION = offset(LAYOUT, "map_location");

    public static StatsPageLocation read(MemorySegment s) {
        return new StatsPageLocation(u64(s, MAP_LOCATION));
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u64(s, MAP_LOCATION, mapLocation);
    }
}
