package dev.parvis.abi.ic;

import java.lang.foreign.MemorySegment;

import static dev.parvis.abi.layout.LittleEndian.u64;
import static dev.parvis.abi.layout.LittleEndian.u8;

/**
 * TIMESYNC body before version 4.0 (reference section 9.6, {@code ictimesync_data}, packed):
 * parent_time u64 @0, child_time u64 @8 (unused), round_trip_time u64 @16, flags u8 @24, then 3
 * reserved bytes as OpenVMM sends them. Packed, so it has no C struct: C guests of Parvis negotiate 4.0.
 */
public record TimesyncLegacyMessage(long parentTime, long childTime, long roundTripTime, byte flags) {
    public static final int SIZE = 28;
    public static final int PARENT_TIME_OFFSET = 0;
    public static final int CHILD_TIME_OFFSET = 8;
    public static final int ROUND_TRIP_TIME_OFFSET = 16;
    public static final int FLAGS_OFFSET = 24;

    public static TimesyncLegacyMessage read(MemorySegment s) {
        return new TimesyncLegacyMessage(u64(s, PARENT_TIME_OFFSET), u64(s, CHILD_TIME_OFFSET),
                u64(s, ROUND_TRIP_TIME_OFFSET), u8(s, FLAGS_OFFSET));
    }

    public void write(MemorySegment s) {
        s.asSlice(0, SIZE).fill((byte) 0);
        u64(s, PARENT_TIME_OFFSET, parentTime);
        u64(s, CHILD_TIME_OFFSET, childTime);
        u64(s, ROUND_TRIP_TIME_OFFSET, roundTripTime);
        u8(s, FLAGS_OFFSET, flags);
    }
}
