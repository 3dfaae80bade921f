package dev.parvis.abi.hv.input;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U32;
import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u32;
import static dev.parvis.abi.layout.LittleEndian.u64;

/**
 * HvCallRetrieveDebugData input, 16 bytes (reference section 3.1): count u32, options u32 (bit 0
 * LOOP, bit 1 TEST_ACTIVITY), timeout in 100 ns units.
 */
public record RetrieveDebugDataInput(int count, int options, long timeout100ns) {
    public static final int SIZE = 16;

    public static final int OPTION_LOOP = 0x1;
    public static final int OPTION_TEST_ACTIVITY = 0x2;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U32.withName("count"),
            U32.withName("options"),
            U64.withName("timeout_100ns"));

    private static final long COUNT = offset(LAYOUT, "count");
    private static final long OPTIONS = offset(LAYOUT, "options");
    private static final long TIMEOUT_100NS = offset(LAYOUT, "timeout_100ns");

    public static RetrieveDebugDataInput read(MemorySegment s) {
        int count = u32(s, COUNT);
        int options = u32(s, OPTIONS);
        long timeout100ns = u64(s, TIMEOUT_100NS);
        return new RetrieveDebugDataInput(count, options, timeout100ns);
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u32(s, COUNT, count);
        u32(s, OPTIONS, options);
        u64(s, TIMEOUT_100NS, timeout100ns);
    }
}
