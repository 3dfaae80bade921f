package dev.parvis.abi.hv.input;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static dev.parvis.abi.layout.LittleEndian.U64;
import static dev.parvis.abi.layout.LittleEndian.clear;
import static dev.parvis.abi.layout.LittleEndian.offset;
import static dev.parvis.abi.layout.LittleEndian.u64;

/**
 * HvCallNotifyLongSpinWait input: the spin count, one u64 (reference section 3.1; the layout is
 * marked UNCONFIRMED there, Parvis only counts these calls).
 */
public record NotifyLongSpinWaitInput(long spinCount) {
    public static final int SIZE = 8;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            U64.withName("spin_count"));

    private static final long SPIN_COUNT = offset(LAYOUT, "spin_count");

    public static NotifyLongSpinWaitInput read(MemorySegment s) {
        long spinCount = u64(s, SPIN_COUNT);
        return new NotifyLongSpinWaitInput(spinCount);
    }

    public void write(MemorySegment s) {
        clear(s, LAYOUT);
        u64(s, SPIN_COUNT, spinCount);
    }
}
